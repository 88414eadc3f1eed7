// A dashboard's use of the deal API, written only against the types generated from openapi.yaml:
// if the contract changes under it, this file stops compiling.
import type { components, paths } from "./schema";

type Deal = components["schemas"]["Deal"];
type DealRequest = components["schemas"]["DealRequest"];
type ErrorResponse = components["schemas"]["ErrorResponse"];
type DealQuery = NonNullable<paths["/api/deals/"]["get"]["parameters"]["query"]>;
type DealList = paths["/api/deals/"]["get"]["responses"][200]["content"]["application/json"];
type CreateDealBody = NonNullable<paths["/api/deals/"]["post"]["requestBody"]>["content"]["application/json"];
type ListDealsError = paths["/api/deals/"]["get"]["responses"][400]["content"]["application/json"];
type CreateDealError = paths["/api/deals/"]["post"]["responses"][400]["content"]["application/json"];

// Signed or executed deals of the Shanghai delegation and the delegations below it, worth at least
// US$100 million, signed since the 6th CIIE opened, largest first.
export const bigDealsSinceTheSixthCiie: DealQuery = {
  delegation: 1,
  stage: ["signed", "executed"],
  value_usd_min: 100_000_000,
  signed_after: "2023-11-05",
  ordering: ["-value_usd", "signed_on"],
  limit: 20,
  offset: 0,
};

// A sync of the deals changed since the last pull: only the columns a table shows, with the buyer whole.
export const changedDealsForATable: DealQuery = {
  updated_since: "2023-11-10T00:00:00Z",
  ordering: ["updated_at"],
  fields: ["id", "title", "buyer", "value_usd", "updated_at"],
  expand: ["buyer"],
};

// Parameters sent as one comma-separated value (`explode: false`); the others repeat.
const COMMA_SEPARATED = new Set(["ordering", "fields", "omit", "expand"]);

// Multi-value filters repeat the parameter (`explode: true`); `ordering`, `fields`, `omit` and
// `expand` are each one comma-separated value.
export function dealListUrl(query: DealQuery): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (COMMA_SEPARATED.has(name) && Array.isArray(value)) {
      params.append(name, value.join(","));
    } else if (Array.isArray(value)) {
      for (const item of value) params.append(name, String(item));
    } else {
      params.append(name, String(value));
    }
  }
  return `/api/deals/?${params.toString()}`;
}

// A deal whose value no source gives has `value` and `value_usd` null: shown as such, never as 0.
// `count` is null with cursor paging, which counts nothing.
export function dealRows(page: DealList): { total: number | null; rows: string[] } {
  const rows = page.results.map((deal: Deal) => {
    if (deal.value === null) return `${deal.buyer.name} ← ${deal.seller.name}: value not given`;
    const signed = `${deal.value.amount} ${deal.value.currency}`;
    const inUsd =
      deal.value.currency === "USD" || deal.value_usd === null
        ? ""
        : ` (US$${deal.value_usd.amount}${deal.usd_rate_source === "stated" ? ", as the source states" : ""})`;
    return `${deal.buyer.name} ← ${deal.seller.name}: ${signed}${inUsd}`;
  });
  return { total: page.count, rows };
}

// Infinite scroll: the first page by an empty cursor, largest deals first; then `next` as it is.
export const firstScrollPage: DealQuery = { cursor: "", ordering: ["-value_usd"], limit: 50 };

// The list example of openapi.yaml, as a dashboard receives it.
export const zkhDowDeal: Deal = {
  id: 1,
  title: "Organo-silicon products procurement order",
  description: "A procurement order mainly for organo-silicon products.",
  buyer: { id: 1, name: "ZKH Industrial Supply Co", name_zh: "震坤行工业超市（上海）有限公司", country: "CN" },
  seller: { id: 2, name: "Dow", name_zh: "陶氏", country: "" },
  delegation: { id: 2, name: "Qingpu District trading delegation", name_zh: "青浦区交易分团" },
  edition: { id: 1, name: "6th China International Import Expo", name_zh: "第六届中国国际进口博览会", number: 6 },
  value: { amount: "300000000.00", currency: "USD" },
  stated_value_usd: null,
  value_usd: { amount: "300000000.00", currency: "USD" },
  usd_rate: "1.0000000000",
  usd_rate_date: null,
  usd_rate_source: "",
  stage: "signed",
  signed_on: null,
  first_deal_of: { id: 1, name: "Shanghai trading delegation", name_zh: "上海交易团" },
  is_first_deal: true,
  regional_debut: true,
  debut_region: "Asia Pacific",
  markets: [
    { id: 1, name: "Electronics", name_zh: "" },
    { id: 2, name: "Transportation", name_zh: "" },
  ],
  line_items: [
    {
      id: 1,
      product: "Organo-silicon products",
      category: { id: 1, name: "Organo-silicon products", name_zh: "有机硅产品" },
      hs_code: "",
      amount: null,
    },
  ],
  is_published: true,
  embargo_until: null,
  source: { id: 1, title: "Procurement, cultural exchanges and opening-up thanks to CIIE" },
  created_at: "2023-11-11T09:00:00Z",
  updated_at: "2023-11-11T09:00:00Z",
};

export const firstPage: DealList = { count: 1, next: null, previous: null, results: [zkhDowDeal] };

// The create example of openapi.yaml: ZKH (buyer) and Dow (seller), US$300 million.
export const zkhDowOrder: DealRequest = {
  title: "Organo-silicon products procurement order",
  buyer: 1,
  seller: 2,
  delegation: 2,
  edition: 1,
  value: { amount: "300000000.00", currency: "USD" },
  first_deal_of: 1,
  regional_debut: true,
  debut_region: "Asia Pacific",
  markets: [1, 2, 3, 4, 5],
  line_items: [{ product: "Organo-silicon products", category: 1 }],
  is_published: true,
  source: 1,
};

export const createBody: CreateDealBody = zkhDowOrder;

// A new deal is an intention; it is signed (and revalued at the signing date) by its own action.
type SignBody = NonNullable<paths["/api/deals/{id}/sign/"]["post"]["requestBody"]>["content"]["application/json"];
export const signedOnTheFirstDay: SignBody = { signed_on: "2023-11-05" };

// Every 4xx has this one shape; `attr` names the field or query parameter at fault.
export function errorMessages(error: ErrorResponse): string[] {
  return error.errors.map((item) => (item.attr === null ? item.detail : `${item.attr}: ${item.detail}`));
}

export const unknownParameter: ListDealsError = {
  type: "validation_error",
  errors: [{ code: "unknown_parameter", detail: "Unknown query parameter.", attr: "colour" }],
};

// A rejected create carries the same shape, so the same code shows it.
export const createDealErrorMessages = (error: CreateDealError): string[] => errorMessages(error);

export const isFieldError = (error: ErrorResponse): boolean =>
  error.type === "validation_error" && error.errors.some((item) => item.attr !== null);

// A bulk write: new deals (no `id`) and changes to existing ones (with `id`), all written or none.
type DealBulkBody = NonNullable<paths["/api/deals/bulk/"]["post"]["requestBody"]>["content"]["application/json"];
type DealBulkResult = paths["/api/deals/bulk/"]["post"]["responses"][200]["content"]["application/json"];
type DealBulkError = paths["/api/deals/bulk/"]["post"]["responses"][400]["content"]["application/json"];

export const bulkBody: DealBulkBody = {
  items: [zkhDowOrder, { id: 7, title: "Packaging materials framework agreement", markets: [4] }],
};

export const bulkSummary = (result: DealBulkResult): string =>
  `${result.created} created, ${result.updated} updated: ${result.results.map((deal: Deal) => deal.title).join("; ")}`;

// A refused bulk write names each refused item in `attr`: `items.<index>.<field>`.
export function bulkErrorsByItem(error: DealBulkError): Map<number, string[]> {
  const byItem = new Map<number, string[]>();
  for (const item of error.errors) {
    const match = item.attr?.match(/^items\.(\d+)(?:\.(.+))?$/);
    if (!match) continue;
    const index = Number(match[1]);
    byItem.set(index, [...(byItem.get(index) ?? []), match[2] ? `${match[2]}: ${item.detail}` : item.detail]);
  }
  return byItem;
}
