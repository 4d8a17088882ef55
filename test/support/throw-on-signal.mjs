// Loaded into a server process with `--import` by test/server/process.test.ts: on SIGUSR2 it
// throws from a timer, as a bug that escaped every door would, so the test can watch what the
// process does with an uncaught exception. Never loaded outside that test.
process.on("SIGUSR2", () => {
  setImmediate(() => {
    throw new Error("a simulated bug that no door caught");
  });
});
