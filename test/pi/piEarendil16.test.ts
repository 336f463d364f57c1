// The pi CLI scenarios against @earendil-works/pi-coding-agent 1.6.0 (the newest) on Node 24.
import { definePiCliTests } from "./piCliScenarios";

definePiCliTests("earendil16");
