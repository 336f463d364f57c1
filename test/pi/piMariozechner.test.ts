// The pi CLI scenarios against @mariozechner/pi-coding-agent 0.73.x on the system node.
import { definePiCliTests } from "./piCliScenarios";

definePiCliTests("mariozechner");
