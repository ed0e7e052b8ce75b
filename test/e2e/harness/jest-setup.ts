// Per-file setup of the e2e project. The time limit is set here because jest-circus reads
// testTimeout only from the global config, never from a project entry. E2E tests wait on a real
// API server (a new webhook configuration takes effect after a few seconds; a loaded machine is
// slower), so they get two minutes instead of five seconds.
jest.setTimeout(120_000);
