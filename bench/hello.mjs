// The bare server the portal's pages are compared with: node:http, a fixed small page.
import { createServer } from 'node:http';

const body = '<!doctype html><html lang="en"><head><title>Hello</title></head><body><main>Hello</main></body></html>';
createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1');
