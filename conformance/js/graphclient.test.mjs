// Conformance tests: temgraph's /beta surface driven by the JavaScript
// @microsoft/microsoft-graph-client over https, as an application would use it.
//
// conformance/run.sh starts temgraph with TLS and sets TEMGRAPH_BIN,
// TEMGRAPH_CONFORMANCE_HTTPS_URL, TEMGRAPH_CONFORMANCE_HTTPS_DB,
// TEMGRAPH_CONFORMANCE_PAGE_SIZE and NODE_EXTRA_CA_CERTS; without them every
// test is skipped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  BatchRequestContent,
  BatchResponseContent,
  Client,
  GraphError,
  PageIterator,
} from "@microsoft/microsoft-graph-client";

const env = {
  bin: process.env.TEMGRAPH_BIN,
  base: process.env.TEMGRAPH_CONFORMANCE_HTTPS_URL,
  db: process.env.TEMGRAPH_CONFORMANCE_HTTPS_DB,
  pageSize: Number(process.env.TEMGRAPH_CONFORMANCE_PAGE_SIZE),
};
const skip = !env.bin || !env.base || !env.db
  ? "needs a running temgraph: run `bash conformance/run.sh` from the repository root"
  : false;

// timeout bounds each test, so that a server bug cannot hang the suite.
const timeout = 120_000;

const COLL = "/deviceManagement/telecomExpenseManagementPartners";
const READ = "DeviceManagementServiceConfig.Read.All";
const READ_WRITE = "DeviceManagementServiceConfig.ReadWrite.All";
const MISSING_ID = "00000000-0000-4000-8000-00000000dead";

// url is an absolute Request URL for a batch item, without the version
// segment: graph-client 3.0.7 copies the path after the host into the
// item's url, and Graph expects /deviceManagement/... there.
const url = (path) => `${env.base}${COLL}${path}`;
const jsonType = { "Content-Type": "application/json" };

// token mints a delegated token for tenant through `temgraph token`.
function token(tenant, scopes) {
  return execFileSync(env.bin, ["token", "--db", env.db, "--tenant", tenant, "--scopes", scopes], {
    encoding: "utf8",
  }).trim();
}

// client returns a graph-client for a fresh tenant (or the given one),
// pointed at temgraph's /beta over https, with the token sent to 127.0.0.1.
function client({ tenant = randomUUID(), scopes = READ_WRITE } = {}) {
  const tok = token(tenant, scopes);
  const c = Client.init({
    baseUrl: env.base,
    defaultVersion: "beta",
    customHosts: new Set(["127.0.0.1"]),
    authProvider: (done) => done(null, tok),
  });
  return { client: c, tenant };
}

// The Intune documentation's example, with its offset date of 7 fraction digits.
const example = {
  "@odata.type": "#microsoft.graph.telecomExpenseManagementPartner",
  displayName: "Display Name value",
  url: "https://tem.example.test/portal",
  appAuthorized: true,
  enabled: true,
  lastConnectionDateTime: "2016-12-31T23:58:36.6670033-08:00",
};
// The same instant as temgraph writes it: UTC, 7 fraction digits.
const exampleUTC = "2017-01-01T07:58:36.6670033Z";

// properties drops instance annotations (@odata.context, @odata.etag, ...)
// but keeps @odata.type.
function properties(o) {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith("@") || k === "@odata.type"));
}

// expectGraphError awaits p and checks it rejects with a GraphError.
async function expectGraphError(p, statusCode, code) {
  await assert.rejects(p, (err) => {
    assert.ok(err instanceof GraphError, `error is ${err?.constructor?.name}: ${err}, want GraphError`);
    assert.equal(err.statusCode, statusCode, `statusCode (body ${err.body})`);
    assert.equal(err.code, code, `code (body ${err.body})`);
    assert.ok(err.message, "message is empty");
    assert.doesNotMatch(err.message, /^[a-z][a-z0-9 ]*: /, "message starts like a Go error chain; want a plain sentence");
    assert.ok(err.requestId, "requestId (innerError.request-id) is empty");
    assert.ok(err.date instanceof Date && !Number.isNaN(err.date.getTime()), `date ${err.date} is not a date`);
    return true;
  });
}

test("create returns the entity", { skip, timeout }, async () => {
  const { client: c } = client();
  const got = await c.api(COLL).post(example);
  assert.match(got.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.deepEqual(properties(got), { ...properties(example), id: got.id, lastConnectionDateTime: exampleUTC });
  assert.equal(got["@odata.context"], `${env.base}/beta/$metadata#deviceManagement/telecomExpenseManagementPartners/$entity`);
});

test("get returns the entity", { skip, timeout }, async () => {
  const { client: c } = client();
  const { id } = await c.api(COLL).post(example);
  const got = await c.api(`${COLL}/${id}`).get();
  assert.equal(got.id, id);
  assert.equal(got.displayName, example.displayName);
  assert.equal(got.lastConnectionDateTime, exampleUTC);
  assert.equal(got["@odata.type"], example["@odata.type"]);
});

test("get with $select", { skip, timeout }, async () => {
  const { client: c } = client();
  const { id } = await c.api(COLL).post(example);
  const got = await c.api(`${COLL}/${id}`).select(["displayName", "url"]).get();
  const props = Object.keys(got).filter((k) => !k.startsWith("@")).sort();
  assert.deepEqual(props, ["displayName", "url"]);
});

test("patch merges and returns the entity", { skip, timeout }, async () => {
  const { client: c } = client();
  const { id } = await c.api(COLL).post(example);
  const got = await c.api(`${COLL}/${id}`).patch({ displayName: "Patched by graph-client" });
  assert.equal(got?.displayName, "Patched by graph-client", "PATCH should answer 200 with the entity");
  assert.equal(got?.url, example.url, "PATCH must keep properties it did not name");

  const minimal = await c.api(`${COLL}/${id}`).header("Prefer", "return=minimal").patch({ enabled: false });
  assert.equal(minimal, undefined, "Prefer: return=minimal should give 204 (undefined)");
  const reread = await c.api(`${COLL}/${id}`).get();
  assert.equal(reread.displayName, "Patched by graph-client");
  assert.equal(reread.enabled, false);
});

test("PageIterator visits every partner once", { skip, timeout }, async () => {
  assert.ok(env.pageSize > 0, "TEMGRAPH_CONFORMANCE_PAGE_SIZE is not set");
  const { client: c } = client();
  const n = 2 * env.pageSize + 2;
  const ids = [];
  for (let i = 0; i < n; i++) {
    ids.push((await c.api(COLL).post({ displayName: `p${String(i).padStart(2, "0")}` })).id);
  }

  const first = await c.api(COLL).get();
  assert.equal(first.value.length, env.pageSize, "first page size");
  assert.ok(first["@odata.nextLink"]?.startsWith(`${env.base}/beta${COLL}?`),
    `@odata.nextLink ${first["@odata.nextLink"]} should be absolute, back to ${env.base}/beta`);

  const seen = [];
  const it = new PageIterator(c, first, (p) => {
    seen.push(p.id);
    return seen.length <= n; // a server that repeats pages would loop forever
  });
  await it.iterate();
  assert.ok(seen.length <= n, `iterator saw more than the ${n} partners (${seen.length}): pages repeat`);
  assert.ok(it.isComplete(), "iterator did not complete");
  assert.deepEqual([...seen].sort(), [...ids].sort());
});

test("PageIterator with $filter and $orderby", { skip, timeout }, async () => {
  const { client: c } = client();
  const n = 2 * env.pageSize + 2;
  for (let i = 0; i < n; i++) {
    await c.api(COLL).post({ displayName: `p${String(i).padStart(2, "0")}`, enabled: i % 2 === 0 });
  }
  const first = await c.api(COLL).filter("enabled eq true").orderby("displayName desc").get();
  const seen = [];
  await new PageIterator(c, first, (p) => {
    seen.push(p.displayName);
    return seen.length <= n;
  }).iterate();
  const want = [];
  for (let i = n - 1; i >= 0; i--) if (i % 2 === 0) want.push(`p${String(i).padStart(2, "0")}`);
  assert.deepEqual(seen, want);
});

// sendBatch posts a BatchRequestContent to /beta/$batch and returns the
// items' statuses by id with the parsed BatchResponseContent.
async function sendBatch(c, steps) {
  const content = await new BatchRequestContent(steps).getContent();
  assert.ok(content.requests.every((r) => r.url.startsWith(COLL)), `item urls ${content.requests.map((r) => r.url)}`);
  const res = new BatchResponseContent(await c.api("/$batch").post(content));
  const status = Object.fromEntries([...res.getResponses()].map(([id, r]) => [id, r.status]));
  return { res, status };
}

// graph-client accepts only parallel, serial, or "all depend on the first"
// dependencies, so the cases are split over two batches.
test("batch with serial dependsOn", { skip, timeout }, async () => {
  const { client: c } = client();
  const kept = (await c.api(COLL).post(example)).id;
  const doomed = (await c.api(COLL).post(example)).id;
  const { res, status } = await sendBatch(c, [
    { id: "1", request: new Request(url(""), { method: "POST", headers: jsonType, body: JSON.stringify({ displayName: "created in a batch" }) }) },
    { id: "2", request: new Request(url("?$filter=displayName eq 'created in a batch'")), dependsOn: ["1"] },
    { id: "3", request: new Request(url(`/${kept}`), { method: "PATCH", headers: jsonType, body: JSON.stringify({ displayName: "patched in a batch" }) }), dependsOn: ["2"] },
    { id: "4", request: new Request(url(`/${doomed}`), { method: "DELETE" }), dependsOn: ["3"] },
  ]);
  assert.deepEqual(status, { 1: 201, 2: 200, 3: 200, 4: 204 });

  assert.equal((await res.getResponseById("1").json()).displayName, "created in a batch");
  assert.deepEqual((await res.getResponseById("2").json()).value.map((p) => p.displayName), ["created in a batch"]);
  assert.equal((await res.getResponseById("3").json()).displayName, "patched in a batch");
  assert.equal(await res.getResponseById("4").text(), "", "a 204 item has no body");
  assert.equal((await c.api(`${COLL}/${kept}`).get()).displayName, "patched in a batch");
  await expectGraphError(c.api(`${COLL}/${doomed}`).get(), 404, "ResourceNotFound");
});

test("batch with a failed dependency", { skip, timeout }, async () => {
  const { client: c } = client();
  const kept = (await c.api(COLL).post(example)).id;
  const { res, status } = await sendBatch(c, [
    { id: "a", request: new Request(url(`/${MISSING_ID}`)) },
    { id: "b", request: new Request(url(`/${kept}`), { method: "DELETE" }), dependsOn: ["a"] },
    { id: "c", request: new Request(url(`/${kept}`), { method: "PATCH", headers: jsonType, body: JSON.stringify({ displayName: "must not happen" }) }), dependsOn: ["a"] },
  ]);
  assert.deepEqual(status, { a: 404, b: 424, c: 424 });
  assert.equal((await res.getResponseById("a").json()).error?.code, "ResourceNotFound");
  assert.equal((await c.api(`${COLL}/${kept}`).get()).displayName, example.displayName,
    "requests that depended on a failed one must not run");
});

test("GraphError on 404", { skip, timeout }, async () => {
  const { client: c } = client();
  await expectGraphError(c.api(`${COLL}/${MISSING_ID}`).get(), 404, "ResourceNotFound");
});

test("GraphError on 400 for a bad $filter", { skip, timeout }, async () => {
  const { client: c } = client();
  await expectGraphError(c.api(COLL).filter("displayName eq").get(), 400, "BadRequest");
});

test("GraphError on 403 with a Read.All token", { skip, timeout }, async () => {
  const { client: writer, tenant } = client();
  const { id } = await writer.api(COLL).post(example);
  const { client: reader } = client({ tenant, scopes: READ });
  assert.equal((await reader.api(`${COLL}/${id}`).get()).id, id, "Read.All may read");
  await expectGraphError(reader.api(COLL).post(example), 403, "Forbidden");
  await expectGraphError(reader.api(`${COLL}/${id}`).patch({ displayName: "x" }), 403, "Forbidden");
  await expectGraphError(reader.api(`${COLL}/${id}`).delete(), 403, "Forbidden");
});

test("delete, then 404", { skip, timeout }, async () => {
  const { client: c } = client();
  const { id } = await c.api(COLL).post(example);
  assert.equal(await c.api(`${COLL}/${id}`).delete(), undefined);
  await expectGraphError(c.api(`${COLL}/${id}`).get(), 404, "ResourceNotFound");
  await expectGraphError(c.api(`${COLL}/${id}`).delete(), 404, "ResourceNotFound");
});
