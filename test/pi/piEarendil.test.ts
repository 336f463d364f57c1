// The pi CLI scenarios against @earendil-works/pi-coding-agent 1.x on Node 24.
import { definePiCliTests } from "./piCliScenarios";

definePiCliTests("earendil");
