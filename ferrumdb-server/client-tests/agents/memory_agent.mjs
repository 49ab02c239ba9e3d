// An agent that keeps its memory in FerrumDB through `ferrumdb serve` (README, "Two agents, one memory").
// Usage: node memory_agent.mjs PORT NAME PEER — writes facts under NAME, then waits until PEER's are visible.
import Redis from "ioredis";

const [port, name, peer] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const memory = new Redis({ host: "127.0.0.1", port });

for (let i = 0; i < 10; i++) {
  // One atomic transaction per fact: the fact and the shared version counter change together.
  await memory.multi().hset("memory:facts", `${name}:${i}`, `${name} learned fact ${i}`).incr("memory:version").exec();
}

const deadline = Date.now() + 60_000;
while (Date.now() < deadline) {
  const facts = await memory.hgetall("memory:facts");
  if (Object.keys(facts).filter((k) => k.startsWith(peer + ":")).length === 10) {
    console.log(`${name}: sees ${Object.keys(facts).length} facts, version ${await memory.get("memory:version")}`);
    await memory.quit();
    process.exit(0);
  }
  await new Promise((r) => setTimeout(r, 100));
}
console.error(`${name}: ${peer}'s facts never arrived`);
process.exit(1);
