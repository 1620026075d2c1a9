// Checks that the services the tests use are reachable: PostgreSQL (SAMLAB_TEST_POSTGRES, default
// postgres://root@127.0.0.1:5432/test) and Redis (SAMLAB_TEST_REDIS, default redis://127.0.0.1:6379).
// Exits 1 with a line naming each one missing (URLs printed without passwords).
import net from "node:net"

const services = [
  { name: "PostgreSQL", url: process.env.SAMLAB_TEST_POSTGRES ?? "postgres://root@127.0.0.1:5432/test", port: 5432 },
  { name: "Redis", url: process.env.SAMLAB_TEST_REDIS ?? "redis://127.0.0.1:6379", port: 6379 }
]
const redact = (url) => {
  const u = new URL(url)
  if (u.password) u.password = "***"
  return u.toString()
}
const reachable = ({ url, port }) =>
  new Promise((resolve) => {
    const u = new URL(url)
    const socket = net.connect({ host: u.hostname || "127.0.0.1", port: Number(u.port || port), timeout: 5000 })
    socket.once("connect", () => (socket.destroy(), resolve(true)))
    socket.once("timeout", () => (socket.destroy(), resolve(false)))
    socket.once("error", () => resolve(false))
  })
let missing = 0
for (const s of services) {
  if (await reachable(s)) console.log(`== ${s.name} reachable at ${redact(s.url)}`)
  else {
    missing++
    console.error(
      `== ${s.name} is not reachable at ${redact(s.url)}: the distributed tests need it (start it, e.g. docker compose -f docs/distributed/compose.yaml up -d, or point SAMLAB_TEST_${s.name === "Redis" ? "REDIS" : "POSTGRES"} at one)`
    )
  }
}
process.exit(missing ? 1 : 0)
