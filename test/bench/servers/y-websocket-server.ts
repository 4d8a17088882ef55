/**
 * The reference y-websocket server for the benchmark, in its own process: @y/websocket-server's
 * `setupWSConnection` behind a plain http.Server, documents in memory, no authentication, no
 * persistence (YPERSISTENCE unset). The document name is the URL path. Prints one line,
 * `ready at ws://127.0.0.1:<port>`, once it listens on PORT (0: any free port).
 */
import http from "node:http";
import { setupWSConnection } from "@y/websocket-server/utils";
import { WebSocketServer } from "ws";

const sockets = new WebSocketServer({ noServer: true });
const server = http.createServer((_request, response) => {
  response.writeHead(200, { "Content-Type": "text/plain" });
  response.end("ok");
});
server.on("upgrade", (request, socket, head) => {
  socket.on("error", () => undefined);
  sockets.handleUpgrade(request, socket, head, (ws) => setupWSConnection(ws, request));
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`ready at ws://127.0.0.1:${port}\n`);
});

// Exit on SIGTERM (writing a CPU profile when one was asked for).
process.once("SIGTERM", () => process.exit(0));
