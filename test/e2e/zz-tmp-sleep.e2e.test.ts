test('sleeps', async () => { await new Promise((r) => setTimeout(r, 30_000)); }, 60_000);
