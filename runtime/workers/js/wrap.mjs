// Bundled in front of a Worker project's own module (docs/workers.md, "Logs"). It changes
// nothing the Worker sees except that, while its queue() handler runs, every console line
// is also kept, and when the handler ends those lines (and the stack of what it threw) are
// sent to QueueDeck, which stores them with the attempt of every message in the batch.
import { AsyncLocalStorage } from "node:async_hooks";

const invocation = new AsyncLocalStorage();

function show(value) {
  if (typeof value === "string") return value;
  if (value instanceof Error) return value.stack || String(value);
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text;
  } catch {
    return String(value);
  }
}

for (const level of ["log", "info", "warn", "error", "debug"]) {
  const original = console[level];
  console[level] = function (...args) {
    const lines = invocation.getStore();
    if (lines && lines.length < 1000) {
      const text = args.map(show).join(" ");
      lines.push(level === "log" || level === "info" ? text : `[${level}] ${text}`);
    }
    return original.apply(this, args);
  };
}

async function report(env, batch, lines, error) {
  const host = env && env.__QUEUEDECK;
  if (!host) return;
  const body = JSON.stringify({
    queue: batch.queue,
    ids: batch.messages.map((m) => m.id),
    lines,
    error,
  });
  try {
    await host.fetch("http://queuedeck/logs", { method: "POST", body });
  } catch {
    // The logs are a view; losing them must not change the batch's outcome.
  }
}

export function wrapDefault(entry) {
  if (typeof entry === "function") {
    // A class (WorkerEntrypoint): a subclass whose queue() runs the original's.
    if (typeof entry.prototype?.queue !== "function") return entry;
    return class extends entry {
      async queue(batch) {
        return runAndReport(() => super.queue(batch), batch, this.env);
      }
    };
  }
  if (!entry || typeof entry.queue !== "function") return entry;
  return {
    ...entry,
    async queue(batch, env, ctx) {
      return runAndReport(() => entry.queue(batch, env, ctx), batch, env);
    },
  };
}

async function runAndReport(handler, batch, env) {
  const lines = [];
  let result;
  try {
    result = await invocation.run(lines, handler);
  } catch (e) {
    lines.push(e && e.stack ? String(e.stack) : String(e));
    const name = (e && e.name) || "Error";
    const message = e && e.message !== undefined ? String(e.message) : String(e);
    await report(env, batch, lines, `${name}: ${message}`);
    throw e;
  }
  await report(env, batch, lines, null);
  return result;
}
