namespace Baton.CrashHost;

/// <summary>One start of the crash host: where the run lives, which shape, which run, where executions are logged.</summary>
/// <param name="Store">A SQLite file or <c>pg:SCHEMA</c>.</param>
/// <param name="Shape">One of <see cref="CrashWorkflows.AllShapes"/>.</param>
/// <param name="RunId">The run.</param>
/// <param name="Log">The file every execution's idempotency key is appended to.</param>
/// <param name="Answer">The answer to give the run's open question, if it waits for one.</param>
/// <param name="Ledger">The effect ledger's file, if agents record side effects.</param>
/// <param name="Postgres">The PostgreSQL connection string for a <c>pg:</c> store.</param>
public sealed record CrashInvocation(string Store, string Shape, string RunId, string Log, string? Answer = null, string? Ledger = null, string? Postgres = null);
