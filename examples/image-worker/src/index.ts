import { imageInfo } from "./metadata";

interface Env {
  IMAGES: Queue<ImageJob>;
  RESULTS: Queue<ImageResult>;
  MAX_IMAGE_BYTES: number;
}

interface ImageJob {
  imageUrl: string;
  userId: string;
}

interface ImageResult extends ImageJob {
  format: string;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
}

function bad(message: string): Response {
  return Response.json({ error: message }, { status: 400 });
}

async function sha256(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function processJob(job: ImageJob, env: Env): Promise<ImageResult> {
  const response = await fetch(job.imageUrl);
  if (!response.ok) throw new Error(`fetching ${job.imageUrl} answered HTTP ${response.status}`);
  const bytes = await response.arrayBuffer();
  if (bytes.byteLength > env.MAX_IMAGE_BYTES)
    throw new Error(`${job.imageUrl} is ${bytes.byteLength} bytes; the limit is ${env.MAX_IMAGE_BYTES}`);
  const info = imageInfo(new Uint8Array(bytes));
  if (!info) throw new Error(`${job.imageUrl} is not a PNG, JPEG, GIF or WebP image`);
  return { ...job, ...info, bytes: bytes.byteLength, sha256: await sha256(bytes) };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (request.method !== "POST") return new Response("POST {imageUrl, userId}", { status: 405 });
    let job: ImageJob;
    try {
      job = await request.json();
    } catch {
      return bad("the body must be JSON: {imageUrl, userId}");
    }
    if (typeof job.userId !== "string" || job.userId === "") return bad("userId must be a non-empty string");
    if (typeof job.imageUrl !== "string" || !/^https?:\/\//.test(job.imageUrl))
      return bad("imageUrl must be an http(s) URL");
    await env.IMAGES.send({ imageUrl: job.imageUrl, userId: job.userId });
    return Response.json({ status: "queued" }, { status: 202 });
  },

  async queue(batch: MessageBatch<ImageJob>, env: Env): Promise<void> {
    for (const message of batch.messages) {
      try {
        const result = await processJob(message.body, env);
        await env.RESULTS.send(result);
        console.log(`${result.imageUrl}: ${result.format} ${result.width}x${result.height}`);
        message.ack();
      } catch (e) {
        console.error(`attempt ${message.attempts} of ${message.body.imageUrl}: ${(e as Error).message}`);
        message.retry({ delaySeconds: 2 ** message.attempts });
      }
    }
  },
};
