// The one model map of the agent routes: dated Anthropic ids, aliases and bare family names resolve in the window's live catalog, and an unknown id is a 404 naming the ids that exist.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { familyAlias, newestInFamily, resolveAgentModel } from "../../src/bridge/modelMap";
import { BridgeRequestError } from "../../src/bridge/server/body";
import { builtInModels, findModel, toPiModel } from "../../src/kiro/catalog/models";
import type { KiroModelInfo } from "../../src/kiro/catalog/modelInfo";
import type { Model } from "../../src/kiro/types";

/** The window's services over a catalog, resolving ids the way KiroClient.resolveModel does. */
function servicesOver(catalog: KiroModelInfo[]) {
  return {
    listModels: async (): Promise<Model[]> => catalog.map((info) => toPiModel(info)),
    resolveModel: async (id: string): Promise<Model | undefined> => {
      const info = findModel(id, catalog);
      return info ? toPiModel(info) : undefined;
    },
  };
}

const CATALOG = builtInModels();

describe("agent model map", () => {
  it("resolves Claude Code's dated ids and Anthropic's aliases to the catalog's models", async () => {
    const services = servicesOver(CATALOG);
    const cases: [string, string][] = [
      ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5"],
      ["claude-haiku-4-5-20251001", "claude-haiku-4-5"],
      ["claude-sonnet-4-5", "claude-sonnet-4-5"],
      ["claude-opus-4-1", "claude-opus-4-5"],
      ["claude-3-5-haiku-20241022", "claude-haiku-4-5"],
      ["claude-sonnet-4.6", "claude-sonnet-4-6"],
      ["claude-sonnet-4-6[1m]", "claude-sonnet-4-6"],
      ["sonnet", "claude-sonnet-5"],
      ["opus", "claude-opus-5"],
      ["haiku", "claude-haiku-4-5"],
      ["auto", "auto"],
      ["deepseek-3.2", "deepseek-3-2"],
    ];
    for (const [requested, expected] of cases) assert.equal((await resolveAgentModel(requested, services)).id, expected, requested);
  });

  it("takes a family's newest model from the live catalog, not a fixed list", async () => {
    const live = CATALOG.filter((info) => info.id !== "claude-sonnet-5" && info.id !== "claude-sonnet-4-6");
    assert.equal((await resolveAgentModel("sonnet", servicesOver(live))).id, "claude-sonnet-4-5");
    assert.equal(newestInFamily("opus", []), undefined);
    assert.equal(familyAlias("Sonnet"), "sonnet");
    assert.equal(familyAlias("claude-sonnet-4-5"), undefined);
  });

  it("answers an unknown id with a 404 naming every id the account serves", async () => {
    for (const unknown of ["claude-opus-5-5", "gpt-9", "haiku"]) {
      const catalog = unknown === "haiku" ? CATALOG.filter((info) => !info.id.includes("haiku")) : CATALOG;
      await assert.rejects(resolveAgentModel(unknown, servicesOver(catalog)), (error: unknown) => {
        assert.ok(error instanceof BridgeRequestError);
        assert.equal(error.status, 404);
        assert.match(error.message, new RegExp(`Unknown model "${unknown}"`));
        for (const info of catalog) assert.ok(error.message.includes(info.id), `${info.id} named`);
        return true;
      });
    }
  });
});
