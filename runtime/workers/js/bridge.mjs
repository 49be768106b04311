// QueueDeck's bridge into a Worker project (docs/workers.md, "Delivery"). QueueDeck POSTs
// a batch here; the bridge hands it to the project's queue() handler through workerd's
// service-binding queue() call, so the Worker sees a real MessageBatch, and answers with
// what the handler did (acks, retries, ackAll, retryAll, outcome) for QueueDeck to apply.
function bytes(base64) {
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; ++i) out[i] = text.charCodeAt(i);
  return out;
}

export default {
  async fetch(request, env) {
    if (request.headers.get("X-QueueDeck-Secret") !== env.SECRET)
      return new Response("forbidden", { status: 403 });
    const batch = await request.json();
    const messages = batch.messages.map((m) => {
      const message = { id: m.id, timestamp: new Date(m.timestamp_ms), attempts: m.attempts };
      if (m.content_type === "v8") message.serializedBody = bytes(m.body);
      else if (m.content_type === "bytes") message.body = bytes(m.body).buffer;
      else message.body = m.body;
      return message;
    });
    try {
      const result = await env.TARGET.queue(batch.queue, messages);
      return Response.json(result);
    } catch (e) {
      return Response.json({ error: e && e.stack ? String(e.stack) : String(e) }, { status: 500 });
    }
  },
};
