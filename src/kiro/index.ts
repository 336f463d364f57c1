// The public face of the Kiro stream provider: everything callers in VS Code, the bridge and pi may use, from one import.
export * from "./types";
export * from "./eventStream";
export * from "./options";
export * from "./models";
export * from "./endpoints";
export * from "./request";
export * from "./history";
export * from "./thinkingConfig";
export * from "./decoder";
export * from "./thinkingSplitter";
export * from "./responseAssembler";
export * from "./errors";
export * from "./retry";
export * from "./stream";
export * from "./eventReplay";
export * from "./failedAnswer";
