using System.Text.Json.Nodes;
using Baton.Storage;
using Baton.Yaml;

namespace Baton.Cli;

/// <summary>What each command does, once its arguments are parsed; each returns the process's exit code.</summary>
internal static class Commands
{
    public static async Task<int> RunAsync(string file, string[]? inputs, string? inputFile, bool json, string? store, CancellationToken cancellationToken)
    {
        var built = await Workflows.LoadAsync(file, cancellationToken).ConfigureAwait(false);
        var input = await Inputs.ReadAsync(built.Document.Inputs, inputs, inputFile, cancellationToken).ConfigureAwait(false);
        await using var runStore = (IAsyncDisposable)await Stores.OpenAsync(store, cancellationToken).ConfigureAwait(false);
        await using var runtime = Workflows.Runtime((IRunStore)runStore, built);
        var handle = runtime.Start(built.Workflow, input, new RunOptions { Source = Path.GetFullPath(file) });
        Console.Error.WriteLine($"run {handle.RunId} started");
        return await FollowAsync(runtime, handle, built, json, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<int> ValidateAsync(string file, CancellationToken cancellationToken)
    {
        await Workflows.LoadAsync(file, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"{file}: valid");
        return ExitCodes.Succeeded;
    }

    public static async Task<int> GraphAsync(string file, CancellationToken cancellationToken)
    {
        var built = await Workflows.LoadAsync(file, cancellationToken).ConfigureAwait(false);
        Console.Write(built.Workflow.ToMermaid());
        return ExitCodes.Succeeded;
    }

    public static async Task<int> ListAsync(bool json, string? store, CancellationToken cancellationToken)
    {
        await using var runStore = (IAsyncDisposable)await Stores.OpenAsync(store, cancellationToken).ConfigureAwait(false);
        var runs = await ((IRunStore)runStore).ListRunsAsync(null, cancellationToken).ConfigureAwait(false);
        if (json)
        {
            Console.WriteLine(RunReport.Print(new JsonObject { ["runs"] = new JsonArray([.. runs.Select(r => (JsonNode)new JsonObject
            {
                ["runId"] = r.RunId, ["workflow"] = r.Workflow, ["status"] = r.Status.ToString().ToLowerInvariant(), ["startedAt"] = r.StartedAt.ToString("O"),
            })]) }));
            return ExitCodes.Succeeded;
        }

        foreach (var run in runs) Console.WriteLine($"{run.RunId}  {run.Workflow,-24} {run.Status.ToString().ToLowerInvariant(),-10} {run.StartedAt:yyyy-MM-dd HH:mm:ss}");
        return ExitCodes.Succeeded;
    }

    public static async Task<int> ShowAsync(string runId, bool json, string? store, CancellationToken cancellationToken)
    {
        await using var runStore = (IAsyncDisposable)await Stores.OpenAsync(store, cancellationToken).ConfigureAwait(false);
        var record = await ((IRunStore)runStore).GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new UsageException($"there is no run '{runId}' in the store");
        Workflow? workflow = null;
        if (record.Source is not null && File.Exists(record.Source))
        {
            try
            {
                workflow = (await Workflows.ForRunAsync(record, cancellationToken).ConfigureAwait(false)).Workflow;
            }
            catch (Exception ex) when (ex is UsageException or InvalidWorkflowFileException)
            {
                // The report is read from the journal; only the agents' names come from the file.
            }
        }

        var report = await RunReport.BuildAsync((IRunStore)runStore, runId, workflow, cancellationToken).ConfigureAwait(false);
        PrintResult(report, json);
        return ExitCodes.For(Enum.Parse<RunStatus>(report["status"]!.GetValue<string>(), ignoreCase: true));
    }

    public static async Task<int> ResumeAsync(string runId, bool json, string? store, CancellationToken cancellationToken)
    {
        await using var runStore = (IAsyncDisposable)await Stores.OpenAsync(store, cancellationToken).ConfigureAwait(false);
        var record = await ((IRunStore)runStore).GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new UsageException($"there is no run '{runId}' in the store");
        var built = await Workflows.ForRunAsync(record, cancellationToken).ConfigureAwait(false);
        await using var runtime = Workflows.Runtime((IRunStore)runStore, built);
        var handle = await WaitForLeaseAsync(() => runtime.ResumeAsync(runId, built.Workflow, cancellationToken: cancellationToken), record, cancellationToken).ConfigureAwait(false);
        Console.Error.WriteLine($"run {handle.RunId} resumed");
        return await FollowAsync(runtime, handle, built, json, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<int> AnswerAsync(string runId, string value, bool json, string? store, CancellationToken cancellationToken)
    {
        await using var runStore = (IAsyncDisposable)await Stores.OpenAsync(store, cancellationToken).ConfigureAwait(false);
        var record = await ((IRunStore)runStore).GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new UsageException($"there is no run '{runId}' in the store");
        var built = await Workflows.ForRunAsync(record, cancellationToken).ConfigureAwait(false);
        await using var runtime = Workflows.Runtime((IRunStore)runStore, built);
        var open = await runtime.Humans.ListOpenAsync(runId, cancellationToken).ConfigureAwait(false);
        var request = open.Count switch
        {
            0 => throw new UsageException($"run '{runId}' is not waiting for an answer (it is {record.Status.ToString().ToLowerInvariant()})"),
            _ => open[0],
        };
        var answer = await runtime.Humans.AnswerAsync(request.Id, value, cancellationToken).ConfigureAwait(false);
        if (!answer.Accepted) throw new UsageException($"the answer was not accepted: {answer.Reason}; run '{runId}' still waits for: {request.Prompt}");
        var handle = answer.Run ?? await WaitForLeaseAsync(() => runtime.ResumeAsync(runId, built.Workflow, cancellationToken: cancellationToken), record, cancellationToken).ConfigureAwait(false);
        Console.Error.WriteLine($"run {runId} answered and resumed");
        return await FollowAsync(runtime, handle, built, json, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<int> CancelAsync(string runId, string? store, CancellationToken cancellationToken)
    {
        await using var runStore = (IAsyncDisposable)await Stores.OpenAsync(store, cancellationToken).ConfigureAwait(false);
        var s = (IRunStore)runStore;
        var record = await s.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new UsageException($"there is no run '{runId}' in the store");
        if (record.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled) throw new UsageException($"run '{runId}' already {record.Status.ToString().ToLowerInvariant()}");
        var lease = await s.TryAcquireLeaseAsync(runId, $"baton-cancel:{Environment.ProcessId}", TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false)
            ?? throw new UsageException($"run '{runId}' is running in another process ({record.LeaseOwner}); stop it there (Ctrl+C), or wait for its lease to expire");
        await s.AppendAsync(lease, new JournalEntry { Kind = JournalEntryKind.RunCancelled, Error = new StepError(ErrorKind.Fatal, "the run was cancelled") { Code = "cancelled" }, Timestamp = DateTimeOffset.UtcNow }, cancellationToken).ConfigureAwait(false);
        await s.SetStatusAsync(lease, RunStatus.Cancelled, cancellationToken).ConfigureAwait(false);
        foreach (var request in await s.ListHumanRequestsAsync(runId, openOnly: true, cancellationToken).ConfigureAwait(false))
        {
            await s.CloseHumanRequestAsync(request.Id, HumanRequestStatus.Withdrawn, null, DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
        }

        await s.ReleaseLeaseAsync(lease, cancellationToken).ConfigureAwait(false);
        Console.Error.WriteLine($"run {runId} cancelled");
        return ExitCodes.Succeeded;
    }

    /// <summary>A run whose process was killed is held until its lease expires: wait for that, up to a bound.</summary>
    private static async Task<RunHandle> WaitForLeaseAsync(Func<Task<RunHandle>> resume, RunRecord record, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        var told = false;
        while (true)
        {
            try
            {
                return await resume().ConfigureAwait(false);
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains("is held by", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                if (!told) Console.Error.WriteLine($"run {record.RunId} is still held by {record.LeaseOwner}; waiting for its lease to expire");
                told = true;
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex)
            {
                throw new UsageException(ex.Message);
            }
        }
    }

    /// <summary>Follows a run to its end (Ctrl+C cancels it), waits for the runs it started, and prints the result.</summary>
    private static async Task<int> FollowAsync(BatonRuntime runtime, RunHandle handle, BuiltWorkflowFile built, bool json, CancellationToken cancellationToken)
    {
        using var cancel = cancellationToken.Register(handle.Cancel);
        await Progress.FollowAsync(handle, json, CancellationToken.None).ConfigureAwait(false);
        var result = await handle.Completion.ConfigureAwait(false);
        // Runs the workflow's events started are children of this run: wait for them too.
        await runtime.Events.WhenIdleAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var child in await runtime.Store.ListRunsAsync(new RunQuery { ParentRunId = handle.RunId }, CancellationToken.None).ConfigureAwait(false))
        {
            if (runtime.GetActiveRun(child.RunId) is { } running) await running.Completion.ConfigureAwait(false);
        }

        var report = await RunReport.BuildAsync(runtime.Store, handle.RunId, built.Workflow, CancellationToken.None).ConfigureAwait(false);
        PrintResult(report, json);
        return ExitCodes.For(result.Status);
    }

    private static void PrintResult(JsonObject report, bool json)
    {
        if (json)
        {
            Console.WriteLine(RunReport.Print(report));
            return;
        }

        var status = report["status"]!.GetValue<string>();
        switch (status)
        {
            case "succeeded":
                Console.WriteLine(report["output"] is JsonValue text && text.TryGetValue<string>(out var s) ? s : report["output"]?.ToJsonString() ?? "");
                break;
            case "waiting":
                var question = report["steps"]!.AsArray().LastOrDefault(st => st!["status"]!.GetValue<string>() == "waiting")?["question"]?.GetValue<string>();
                Console.Error.WriteLine($"run {report["runId"]} is waiting for a person: {question}");
                Console.Error.WriteLine($"answer with: baton runs answer {report["runId"]} --value ...");
                break;
            default:
                Console.Error.WriteLine($"run {report["runId"]} {status}: {report["error"]?["message"]?.GetValue<string>()}");
                break;
        }
    }
}
