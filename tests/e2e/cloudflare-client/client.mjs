// Drives QueueDeck's Cloudflare-compatible Queues API with Cloudflare's official client.
// Usage: node client.mjs http://127.0.0.1:PORT/
// Prints "ok - <step>" for every step that passed and "ALL OK" at the end; exits non-zero
// at the first failure.
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';

const endpoint = process.argv[2];
if (!endpoint) {
    console.error('usage: node client.mjs http://127.0.0.1:PORT/');
    process.exit(2);
}

const client = new Cloudflare({
    apiToken: 'x',
    baseURL: new URL('client/v4', endpoint).toString(),
    timeout: 20_000,
});
const account_id = '023e105f4ecef8ad9ca31a8372d0c353';

async function step(name, body) {
    await body();
    console.log(`ok - ${name}`);
}

// json bodies come back base64-encoded, text ones as they are.
function decode(message) {
    const type = message.metadata['CF-Content-Type'];
    if (type === 'json')
        return JSON.parse(Buffer.from(message.body, 'base64').toString('utf8'));
    if (type === 'text')
        return message.body;
    return Buffer.from(message.body, 'base64');
}

async function rejects(promise, status, code) {
    try {
        await promise;
    } catch (error) {
        assert.ok(error instanceof Cloudflare.APIError, `not an APIError: ${error}`);
        assert.equal(error.status, status, error.message);
        assert.equal(error.errors[0]?.code, code, error.message);
        return error;
    }
    assert.fail(`expected HTTP ${status} with code ${code}`);
}

const name = 'e2e/ Queue ✓';
let queueId;
let consumerId;

try {
    await step('create queue', async () => {
        const queue = await client.queues.create({ account_id, queue_name: name });
        assert.equal(queue.queue_name, name);
        assert.match(queue.queue_id, /^[0-9a-f]{32}$/);
        assert.equal(queue.settings.delivery_paused, false);
        queueId = queue.queue_id;
    });

    await step('create queue twice is a conflict', async () => {
        await rejects(client.queues.create({ account_id, queue_name: name }), 409, 11009);
    });

    await step('list queues', async () => {
        const names = [];
        for await (const queue of client.queues.list({ account_id }))
            names.push(queue.queue_name);
        assert.ok(names.includes(name), `listed: ${names}`);
    });

    await step('get queue', async () => {
        const queue = await client.queues.get(queueId, { account_id });
        assert.equal(queue.queue_name, name);
    });

    await step('edit queue settings', async () => {
        const queue = await client.queues.edit(queueId, {
            account_id,
            settings: { delivery_delay: 0, message_retention_period: 7200 },
        });
        assert.equal(queue.settings.message_retention_period, 7200);
    });

    await step('create http_pull consumer', async () => {
        const consumer = await client.queues.consumers.create(queueId, {
            account_id,
            type: 'http_pull',
            settings: { batch_size: 10, max_retries: 3, visibility_timeout_ms: 30_000 },
        });
        assert.equal(consumer.type, 'http_pull');
        assert.equal(consumer.settings.visibility_timeout_ms, 30_000);
        consumerId = consumer.consumer_id;
        const listed = [];
        for await (const c of client.queues.consumers.list(queueId, { account_id }))
            listed.push(c.consumer_id);
        assert.deepEqual(listed, [consumerId]);
    });

    await step('push', async () => {
        let result = await client.queues.messages.push(queueId, { account_id, body: { hello: 'world' } });
        assert.equal(result.metadata.metrics.backlog_count, 1);
        result = await client.queues.messages.push(queueId, { account_id, body: 'plain text', content_type: 'text' });
        assert.equal(result.metadata.metrics.backlog_count, 2);
    });

    await step('batch push', async () => {
        const result = await client.queues.messages.bulkPush(queueId, {
            account_id,
            messages: [{ body: { n: 1 } }, { body: { n: 2 } }, { body: 'three', content_type: 'text' }],
        });
        assert.equal(result.metadata.metrics.backlog_count, 5);
        assert.ok(result.metadata.metrics.oldest_message_timestamp_ms > 0);
    });

    let pulled;
    await step('pull', async () => {
        const result = await client.queues.messages.pull(queueId, {
            account_id,
            batch_size: 10,
            visibility_timeout_ms: 30_000,
        });
        pulled = result.messages;
        assert.equal(pulled.length, 5);
        assert.equal(result.message_backlog_count, 0);
        const bodies = pulled.map(decode);
        assert.deepEqual(bodies, [{ hello: 'world' }, 'plain text', { n: 1 }, { n: 2 }, 'three']);
        for (const m of pulled) {
            assert.equal(m.attempts, 1);
            assert.match(m.id, /^[0-9a-f]{32}$/);
            assert.ok(m.lease_id);
        }
    });

    let retriedId;
    await step('ack with retries', async () => {
        const [first, ...rest] = pulled;
        retriedId = first.id;
        const result = await client.queues.messages.ack(queueId, {
            account_id,
            acks: rest.map((m) => ({ lease_id: m.lease_id })),
            retries: [{ lease_id: first.lease_id, delay_seconds: 0 }],
        });
        assert.equal(result.ackCount, 4);
        assert.equal(result.retryCount, 1);
        assert.deepEqual(result.warnings, {});
    });

    await step('pull the retried message again', async () => {
        const result = await client.queues.messages.pull(queueId, { account_id });
        assert.equal(result.messages.length, 1);
        const [m] = result.messages;
        assert.equal(m.id, retriedId);
        assert.equal(m.attempts, 2);
        assert.deepEqual(decode(m), { hello: 'world' });
        const acked = await client.queues.messages.ack(queueId, { account_id, acks: [{ lease_id: m.lease_id }] });
        assert.equal(acked.ackCount, 1);
    });

    await step('get metrics', async () => {
        let metrics = await client.queues.getMetrics(queueId, { account_id });
        assert.equal(metrics.backlog_count, 0);
        await client.queues.messages.push(queueId, { account_id, body: [1, 2, 3], delay_seconds: 600 });
        metrics = await client.queues.getMetrics(queueId, { account_id });
        assert.equal(metrics.backlog_count, 1);
        assert.equal(metrics.backlog_bytes, '[1,2,3]'.length);
        assert.ok(metrics.oldest_message_timestamp_ms > 0);
    });

    await step('peek and purge by ref', async () => {
        await client.queues.messages.push(queueId, { account_id, body: 'peek me', content_type: 'text' });
        const peeked = await client.queues.messages.peek(queueId, { account_id, batch_size: 10 });
        assert.equal(peeked.messages.length, 1);
        assert.equal(peeked.messages[0].body, 'peek me');
        const purged = await client.queues.messages.purge(queueId, { account_id, refs: [{ ref: peeked.messages[0].ref }] });
        assert.deepEqual(purged.warnings, {});
        const metrics = await client.queues.getMetrics(queueId, { account_id });
        assert.equal(metrics.backlog_count, 1); // the delayed one is left
    });

    await step('errors come as Cloudflare errors', async () => {
        await rejects(client.queues.get('no-such-queue', { account_id }), 404, 10104);
        await rejects(
            client.queues.messages.push(queueId, { account_id, body: 'x'.repeat(128_001), content_type: 'text' }),
            413,
            10204,
        );
        await rejects(
            client.queues.messages.bulkPush(queueId, {
                account_id,
                messages: Array.from({ length: 101 }, (_, i) => ({ body: i })),
            }),
            413,
            10206,
        );
        await rejects(client.queues.messages.pull(queueId, { account_id, batch_size: 1000 }), 400, 10207);
    });

    await step('paused queue refuses pulls', async () => {
        await client.queues.edit(queueId, { account_id, settings: { delivery_paused: true } });
        const error = await rejects(client.queues.messages.pull(queueId, { account_id }), 409, 10252);
        assert.match(error.message, /queue_delivery_paused/);
        await client.queues.edit(queueId, { account_id, settings: { delivery_paused: false } });
    });

    await step('purge', async () => {
        const queue = await client.queues.purge.start(queueId, { account_id, delete_messages_permanently: true });
        assert.equal(queue.queue_name, name);
        const status = await client.queues.purge.status(queueId, { account_id });
        assert.equal(status.completed, 'true');
        const metrics = await client.queues.getMetrics(queueId, { account_id });
        assert.equal(metrics.backlog_count, 0);
    });

    await step('delete consumer and queue', async () => {
        await client.queues.consumers.delete(consumerId, { account_id, queue_id: queueId });
        const queue = await client.queues.get(queueId, { account_id });
        assert.equal(queue.consumers_total_count, 0);
        await client.queues.delete(queueId, { account_id });
        await rejects(client.queues.get(queueId, { account_id }), 404, 10104);
    });

    // Left behind on purpose: the test checks it in the store after the runtime stops.
    await step('leave a queue with two messages', async () => {
        const kept = await client.queues.create({ account_id, queue_name: 'e2e kept' });
        await client.queues.messages.bulkPush(kept.queue_id, {
            account_id,
            messages: [{ body: { kept: 1 } }, { body: 'kept two', content_type: 'text' }],
        });
    });

    console.log('ALL OK');
} catch (error) {
    console.error(`FAILED: ${error?.stack ?? error}`);
    process.exit(1);
}
