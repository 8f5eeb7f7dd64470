using Baton;
using Baton.CrashHost;
using Baton.Storage;
using Baton.Storage.Sqlite;

// Usage: Baton.CrashHost <db> <shape> <run-id> <log> [answer]   (BATON_CRASH_PACED=1: each step waits for a line on stdin)
// Runs (or resumes, when the store has the run) one crash workflow on a SQLite store. Each agent execution is appended
// to <log> and announced on stdout ("executed KEY") before it works, so the test can kill this process mid-step;
// the run's output goes to stdout as "output TEXT" at the end.
if (args.Length is not (4 or 5))
{
    Console.Error.WriteLine("usage: Baton.CrashHost <db> <shape> <run-id> <log> [answer]");
    return 2;
}

var (db, shape, runId, logPath) = (args[0], args[1], args[2], args[3]);
using var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
// Paced: each step waits for a line on stdin before it works, so the test that kills this process is never outrun by
// the run (on a loaded machine the run could otherwise finish before the kill lands).
var paced = Environment.GetEnvironmentVariable("BATON_CRASH_PACED") == "1";
var gate = new Lock();
var workflow = CrashWorkflows.Build(shape, key =>
{
    lock (gate)
    {
        // The log line reaches the OS before the step does its work: a SIGKILL cannot lose it.
        log.WriteLine(key);
        Console.Out.WriteLine("executed " + key);
        Console.Out.Flush();
        if (paced && Console.In.ReadLine() is null) throw new InvalidOperationException("the test stopped pacing this process");
    }
});

await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = db });
await using var runtime = new BatonRuntime(new BatonOptions { Store = store, LeaseDuration = TimeSpan.FromMilliseconds(500) });
var record = await store.GetRunAsync(runId);
RunResult result;
if (args.Length == 5)
{
    // Another process answers the question the first one suspended on, and finishes the run here.
    runtime.Register(workflow);
    var request = (await runtime.Humans.ListOpenAsync(runId)).Single();
    var answer = await runtime.Humans.AnswerAsync(request.Id, args[4]);
    if (!answer.Accepted)
    {
        Console.Out.WriteLine("rejected " + answer.Reason);
        return 2;
    }

    result = await answer.Run!.Completion;
}
else if (record is null)
{
    result = await runtime.RunAsync(workflow, Payload.FromText("start"), new RunOptions { RunId = runId });
}
else if (record.Status == RunStatus.Succeeded)
{
    var journal = await store.ReadJournalAsync(runId);
    var end = journal.Single(e => e.Kind == JournalEntryKind.RunSucceeded);
    result = new RunResult(runId, RunStatus.Succeeded, end.Payload, null, Usage.None, 0);
}
else
{
    // The killed process's lease must run out first: another process may not take a run that is still held.
    var deadline = DateTime.UtcNow.AddSeconds(10);
    while (true)
    {
        try
        {
            result = await (await runtime.ResumeAsync(runId, workflow)).Completion;
            break;
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("is held by", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }
}

if (result.Status == RunStatus.Waiting)
{
    Console.Out.WriteLine("waiting " + string.Join(" | ", (await runtime.Humans.ListOpenAsync(runId)).Select(r => r.Prompt)));
    return 3;
}

// One line: the output JSON-encoded, so a multi-line output cannot be mistaken for other lines.
Console.Out.WriteLine(result.IsSuccess ? "output " + System.Text.Json.JsonSerializer.Serialize(result.Output!.AsText()) : $"failed {result.Status}: {result.Error?.Message}");
return result.IsSuccess ? 0 : 1;
