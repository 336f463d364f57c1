// The pi CLI scenarios against @earendil-works/pi-coding-agent 1.3.0 on Node 24.
import { definePiCliTests } from "./piCliScenarios";

definePiCliTests("earendil");
