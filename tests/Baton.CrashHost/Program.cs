using Baton;
using Baton.CrashHost;
using Baton.Storage;

// Usage: Baton.CrashHost <store> <shape> <run-id> <log> [answer]
//   <store>: a SQLite file, or pg:SCHEMA (a schema of the PostgreSQL server in BATON_TEST_POSTGRES)
//   BATON_CRASH_PACED=1: each step waits for a line on stdin; BATON_CRASH_LEDGER=FILE: agents record their side effects there
// Runs (or resumes, when the store has the run) one crash workflow. Each agent execution is appended to <log> and
// announced on stdout ("executed KEY") before it works, so the caller can kill this process mid-step. A resume also
// resumes every other interrupted run of the store (the runs the workflow's events started) and waits for the events
// its steps publish to be delivered. The run's output goes to stdout as "output TEXT" at the end; "waiting PROMPT"
// (exit 3) when it waits for a person; with [answer], this process answers the run's open question and finishes it.
if (args.Length is not (4 or 5))
{
    Console.Error.WriteLine("usage: Baton.CrashHost <store> <shape> <run-id> <log> [answer]");
    return 2;
}

var (storeName, shape, runId, logPath) = (args[0], args[1], args[2], args[3]);
using var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
using var ledger = Environment.GetEnvironmentVariable("BATON_CRASH_LEDGER") is { Length: > 0 } ledgerPath ? new EffectLedger(ledgerPath) : null;
// Paced: each step waits for a line on stdin before it works, so the caller that kills this process is never outrun by
// the run (on a loaded machine the run could otherwise finish before the kill lands).
var paced = Environment.GetEnvironmentVariable("BATON_CRASH_PACED") == "1";
var gate = new Lock();
var effects = new CrashEffects(key =>
{
    lock (gate)
    {
        // The log line reaches the OS before the step does its work: a SIGKILL cannot lose it.
        log.WriteLine(key);
        Console.Out.WriteLine("executed " + key);
        Console.Out.Flush();
        if (paced && Console.In.ReadLine() is null) throw new InvalidOperationException("the caller stopped pacing this process");
    }
}, (key, run) => ledger?.Record(key, run));
var workflow = CrashWorkflows.Build(shape, effects);

var store = await CrashStores.OpenAsync(storeName);
await using var storeLifetime = store as IAsyncDisposable;
await using var runtime = new BatonRuntime(new BatonOptions { Store = store, LeaseDuration = TimeSpan.FromMilliseconds(500) });
runtime.Register(workflow);
if (CrashWorkflows.EventChild(shape, effects) is { } child)
{
    runtime.Register(child);
    runtime.Events.Subscribe(CrashWorkflows.EventTopic, child);
}

var record = await store.GetRunAsync(runId);
RunStatus status;
if (args.Length == 5 && record?.Status == RunStatus.Waiting)
{
    // Another process answers the question the first one suspended on, and finishes the run here.
    var request = (await runtime.Humans.ListOpenAsync(runId)).Single();
    var answer = await runtime.Humans.AnswerAsync(request.Id, args[4]);
    if (!answer.Accepted)
    {
        Console.Out.WriteLine("rejected " + answer.Reason);
        return 2;
    }

    status = (await answer.Run!.Completion).Status;
    status = await CrashRuns.DrainAsync(runtime, store, runId, TimeSpan.FromSeconds(30));
}
else if (record is null)
{
    status = (await runtime.RunAsync(workflow, CrashWorkflows.Input, new RunOptions { RunId = runId })).Status;
    status = await CrashRuns.DrainAsync(runtime, store, runId, TimeSpan.FromSeconds(30));
}
else
{
    // The killed process's leases must run out first: another process may not take a run that is still held.
    status = await CrashRuns.DrainAsync(runtime, store, runId, TimeSpan.FromSeconds(30));
}

if (status == RunStatus.Waiting)
{
    Console.Out.WriteLine("waiting " + string.Join(" | ", (await runtime.Humans.ListOpenAsync(runId)).Select(r => r.Prompt)));
    return 3;
}

var output = await CrashRuns.OutputAsync(store, runId);
// One line: the output JSON-encoded, so a multi-line output cannot be mistaken for other lines.
Console.Out.WriteLine(output is not null ? "output " + System.Text.Json.JsonSerializer.Serialize(output) : $"failed {status}");
return output is not null ? 0 : 1;
