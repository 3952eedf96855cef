// Builds the fixture repos once per test run (cached by content under test/fixtures/.cache).
export default async function setup(): Promise<void> {}
