using System.Text.Json;
using System.Text.Json.Nodes;
using Baton.Storage;
using Baton.Yaml;
using Baton.Yaml.Providers;

namespace Baton.Cli;

/// <summary>What each command does, once its arguments are parsed; each returns the process's exit code.</summary>
internal static class Commands
{
    public static async Task<int> RunAsync(string file, string[]? inputs, string? inputFile, string[]? models, bool json, string? store, CancellationToken cancellationToken, string? cluster = null)
    {
        var swaps = new List<ModelSwap>();
        foreach (var model in models ?? [])
        {
            if (!ModelSwap.TryParse(model, out var swap, out var error)) throw new UsageException($"--model {error}");
            swaps.Add(swap!);
        }

        var (built, definition, _) = WorkflowDefinition.Load(file, swaps);
        // A model that cannot be called without a key fails now, with what to set, not after the run has started.
        foreach (var model in built.Document.Models.Values)
        {
            if (model.SettingsAs<Baton.AI.OpenAiCompatibleOptions>()?.MissingApiKey() is { } missing) throw new UsageException(missing);
        }

        var input = await Inputs.ReadAsync(built.Document.Inputs, inputs, inputFile, cancellationToken).ConfigureAwait(false);
        if (Clusters.Setting(cluster) is { } onCluster) return await ClusterCommands.RunAsync(onCluster, built, definition, input, json, store, cancellationToken).ConfigureAwait(false);
        await using var runStore = (IAsyncDisposable)await Stores.OpenAsync(store, cancellationToken).ConfigureAwait(false);
        await using var runtime = Workflows.Runtime((IRunStore)runStore, built);
        // The run keeps the file's text (and the files it refers to): resuming it never reads the file again.
        var handle = runtime.Start(built.Workflow, input, new RunOptions { Source = definition.Main, Definition = definition.ToJson() });
        Console.Error.WriteLine($"run {handle.RunId} started");
        return await FollowAsync(runtime, handle, built.Workflow, json, cancellationToken).ConfigureAwait(false);
    }

    // Checking or drawing a file calls no model, so it needs no secrets: an unset ${env.X} is a warning there.
    public static Task<int> ValidateAsync(string file)
    {
        var (_, _, warnings) = WorkflowDefinition.Load(file, secretsOptional: true);
        WriteWarnings(warnings);
        Console.WriteLine($"{file}: valid");
        return Task.FromResult(ExitCodes.Succeeded);
    }

    public static Task<int> GraphAsync(string file)
    {
        var (built, _, warnings) = WorkflowDefinition.Load(file, secretsOptional: true);
        WriteWarnings(warnings);
        Console.Write(built.Workflow.ToMermaid());
        return Task.FromResult(ExitCodes.Succeeded);
    }

    private static void WriteWarnings(IReadOnlyList<WorkflowFileError> warnings)
    {
        foreach (var warning in warnings) Console.Error.WriteLine($"{warning.File}:{warning.Line}:{warning.Column}: warning: {warning.Message} (needed only to run the file)");
    }

    /// <summary>A status as <c>runs list --status</c> takes it: its name in reports (<c>failed</c>), any case.</summary>
    private static RunStatus ParseStatus(string text)
    {
        var statuses = Enum.GetValues<RunStatus>();
        var names = statuses.Select(Reports.RunReport.StatusName).ToArray();
        var index = Array.IndexOf(names, text.Trim().ToLowerInvariant());
        if (index >= 0) return statuses[index];
        var near = Suggestions.Closest(text, names) is { } n ? $"; did you mean '{n}'?" : "";
        throw new UsageException($"--status '{text}' is not a run status{near}: use {string.Join(", ", names)}");
    }

    public static async Task<int> ListAsync(bool json, string? status, string? workflow, string? store, CancellationToken cancellationToken)
    {
        var wanted = status is null ? (RunStatus?)null : ParseStatus(status);
        var found = await Stores.OpenExistingAsync(store, cancellationToken).ConfigureAwait(false);
        await using var runStore = found as IAsyncDisposable;
        var runs = found is null ? [] : await found.ListRunsAsync(new RunQuery { Status = wanted, Workflow = workflow }, cancellationToken).ConfigureAwait(false);
        if (json)
        {
            Console.WriteLine(RunReport.Print(new JsonObject
            {
                ["runs"] = new JsonArray([.. runs.Select(r => (JsonNode)new JsonObject
                {
                    ["runId"] = r.RunId, ["workflow"] = r.Workflow, ["status"] = Reports.RunReport.StatusName(r.Status), ["startedAt"] = Reports.RunReport.Time(r.StartedAt),
                })]),
            }));
            return ExitCodes.Succeeded;
        }

        if (runs.Count == 0)
        {
            var filters = string.Join(" and ", new[] { status is null ? null : $"status {status}", workflow is null ? null : $"workflow {workflow}" }.OfType<string>());
            Console.WriteLine($"no runs{(filters.Length == 0 ? "" : $" with {filters}")} in {Stores.Describe(store)}");
            return ExitCodes.Succeeded;
        }

        var idWidth = Math.Max(2, runs.Max(r => r.RunId.Length));
        var workflowWidth = Math.Max(8, runs.Max(r => r.Workflow.Length));
        Console.WriteLine($"{"id".PadRight(idWidth)}  {"workflow".PadRight(workflowWidth)}  {"status",-10} started");
        foreach (var run in runs) Console.WriteLine($"{run.RunId.PadRight(idWidth)}  {run.Workflow.PadRight(workflowWidth)}  {Reports.RunReport.StatusName(run.Status),-10} {Reports.RunReport.Time(run.StartedAt)}");
        return ExitCodes.Succeeded;
    }

    public static async Task<int> ShowAsync(string runId, bool json, string? store, CancellationToken cancellationToken)
    {
        var runStore = await OpenExistingAsync(runId, store, cancellationToken).ConfigureAwait(false);
        await using var _ = (IAsyncDisposable)runStore;
        var record = await GetRunAsync(runStore, runId, cancellationToken).ConfigureAwait(false);
        // The report is read from the journal; only the agents' names come from the stored workflow.
        var report = await RunReport.BuildAsync(runStore, runId, Workflows.TryRebuild(record)?.Find(record.Workflow), cancellationToken).ConfigureAwait(false);
        if (json) Console.WriteLine(report.ToJsonString());
        else RunSummary.Write(report, record, Console.Out);
        return ExitCodes.ForShow(report.Status);
    }

    /// <summary>The store a command on one run opens: an existing one (nothing is created); a store that does not exist yet holds no run.</summary>
    private static async Task<IRunStore> OpenExistingAsync(string runId, string? store, CancellationToken cancellationToken) =>
        await Stores.OpenExistingAsync(store, cancellationToken).ConfigureAwait(false) ?? throw new UsageException($"there is no run '{runId}' in {Stores.Describe(store)} (it holds no runs yet)");

    public static async Task<int> HistoryAsync(string runId, bool json, string? store, CancellationToken cancellationToken)
    {
        var found = await OpenExistingAsync(runId, store, cancellationToken).ConfigureAwait(false);
        await using var runStore = (IAsyncDisposable)found;
        await GetRunAsync((IRunStore)runStore, runId, cancellationToken).ConfigureAwait(false);
        var journal = await ((IRunStore)runStore).ReadJournalAsync(runId, 0, cancellationToken).ConfigureAwait(false);
        var history = HistoryTable.From(journal);
        if (json) Console.WriteLine(RunReport.Print(HistoryTable.ToJson(history)));
        else HistoryTable.Write(history, Console.Out);
        return ExitCodes.Succeeded;
    }

    public static async Task<int> ForkAsync(string runId, long at, string[]? sets, bool json, string? store, CancellationToken cancellationToken)
    {
        var edits = new Dictionary<string, Payload>(StringComparer.Ordinal);
        foreach (var set in sets ?? [])
        {
            var equals = set.IndexOf('=');
            if (equals <= 0) throw new UsageException($"--set '{set}' must be name=value");
            edits[set[..equals]] = ParseValue(set[(equals + 1)..]);
        }

        await using var runStore = (IAsyncDisposable)await OpenExistingAsync(runId, store, cancellationToken).ConfigureAwait(false);
        var record = await GetRunAsync((IRunStore)runStore, runId, cancellationToken).ConfigureAwait(false);
        var built = Workflows.ForRun(record);
        // The run's own workflow: the file's, or one its `on` subscriptions start (a child run).
        var workflow = built.Find(record.Workflow)!;
        await using var runtime = Workflows.Runtime((IRunStore)runStore, built);
        RunHandle handle;
        try
        {
            handle = await runtime.ForkAsync(runId, at, edits, workflow, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentOutOfRangeException) when (at < 1)
        {
            throw new UsageException($"--at must be a journal entry's number, from 1 (see baton runs history {runId})");
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new UsageException($"--at {at} is past the end of the journal: {ex.Message.Split(" (Parameter")[0]}");
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            throw new UsageException(ex.Message.Split(" (Parameter")[0]);
        }

        Console.Error.WriteLine($"run {handle.RunId} started (forked from {runId} at entry {at})");
        return await FollowAsync(runtime, handle, workflow, json, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<int> ResumeAsync(string runId, bool json, string? store, CancellationToken cancellationToken, string? cluster = null)
    {
        if (Clusters.Setting(cluster) is { } onCluster) return await ClusterCommands.ResumeAsync(onCluster, runId, json, store, cancellationToken).ConfigureAwait(false);
        await using var runStore = (IAsyncDisposable)await OpenExistingAsync(runId, store, cancellationToken).ConfigureAwait(false);
        var record = await GetRunAsync((IRunStore)runStore, runId, cancellationToken).ConfigureAwait(false);
        var built = Workflows.ForRun(record);
        // The run's own workflow: the file's, or one its `on` subscriptions start (a child run).
        var workflow = built.Find(record.Workflow)!;
        await using var runtime = Workflows.Runtime((IRunStore)runStore, built);
        await TakeFromDeadHolderAsync(runtime, runId, cancellationToken).ConfigureAwait(false);
        var handle = await WaitForLeaseAsync(() => runtime.ResumeAsync(runId, workflow, cancellationToken: cancellationToken), record, cancellationToken).ConfigureAwait(false);
        Console.Error.WriteLine($"run {handle.RunId} resumed");
        return await FollowAsync(runtime, handle, workflow, json, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<int> AnswerAsync(string runId, string value, bool json, string? store, CancellationToken cancellationToken, string? cluster = null)
    {
        if (Clusters.Setting(cluster) is { } onCluster) return await ClusterCommands.AnswerAsync(onCluster, runId, value, json, store, cancellationToken).ConfigureAwait(false);
        await using var runStore = (IAsyncDisposable)await OpenExistingAsync(runId, store, cancellationToken).ConfigureAwait(false);
        var record = await GetRunAsync((IRunStore)runStore, runId, cancellationToken).ConfigureAwait(false);
        var built = Workflows.ForRun(record);
        // The run's own workflow: the file's, or one its `on` subscriptions start (a child run).
        var workflow = built.Find(record.Workflow)!;
        await using var runtime = Workflows.Runtime((IRunStore)runStore, built);
        var open = await runtime.Humans.ListOpenAsync(runId, cancellationToken).ConfigureAwait(false);
        var request = open.Count switch
        {
            0 => throw new UsageException($"run '{runId}' is not waiting for an answer (it is {Reports.RunReport.StatusName(record.Status)})"),
            _ => open[0],
        };
        // The answer is checked before anything else touches the store: a refused one (not one of the choices) changes nothing.
        var answer = await runtime.Humans.AnswerAsync(request.Id, value, cancellationToken).ConfigureAwait(false);
        if (!answer.Accepted) throw new UsageException($"the answer was not accepted: {answer.Reason}; run '{runId}' still waits for: {request.Prompt}");
        // Not resumed at once: a killed command process of this machine may still hold the run; take it over, then resume.
        if (answer.Run is null) await TakeFromDeadHolderAsync(runtime, runId, cancellationToken).ConfigureAwait(false);
        var handle = answer.Run ?? await WaitForLeaseAsync(() => runtime.ResumeAsync(runId, workflow, cancellationToken: cancellationToken), record, cancellationToken).ConfigureAwait(false);
        Console.Error.WriteLine($"run {runId} answered and resumed");
        return await FollowAsync(runtime, handle, workflow, json, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<int> CancelAsync(string runId, string? store, CancellationToken cancellationToken)
    {
        await using var runStore = (IAsyncDisposable)await OpenExistingAsync(runId, store, cancellationToken).ConfigureAwait(false);
        var s = (IRunStore)runStore;
        var record = await GetRunAsync(s, runId, cancellationToken).ConfigureAwait(false);
        if (record.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled) throw new UsageException($"run '{runId}' already {Reports.RunReport.StatusName(record.Status)}");
        var owner = LeaseOwners.ForThisProcess();
        var lease = await s.TryAcquireLeaseAsync(runId, owner, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false)
            ?? (LeaseOwners.IsDeadHere(record.LeaseOwner) ? await s.StealLeaseAsync(runId, record.LeaseOwner!, owner, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false) : null)
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

    private static async Task<RunRecord> GetRunAsync(IRunStore store, string runId, CancellationToken cancellationToken) =>
        await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new UsageException($"there is no run '{runId}' in the store");

    /// <summary>A value given on the command line: JSON when it parses as JSON (a number, true, an object...), else text.</summary>
    private static Payload ParseValue(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return Payload.ParseJson(text);
        }
        catch (JsonException)
        {
            return Payload.FromText(text);
        }
    }

    /// <summary>
    /// A run held by a command process of this machine that no longer exists (killed, crashed) is taken at once: its
    /// lease would otherwise hold the run until it expires. The store takes it only from exactly that holder.
    /// </summary>
    private static async Task TakeFromDeadHolderAsync(BatonRuntime runtime, string runId, CancellationToken cancellationToken)
    {
        var record = await GetRunAsync(runtime.Store, runId, cancellationToken).ConfigureAwait(false);
        if (record.LeaseOwner is not { } holder || !LeaseOwners.IsDeadHere(holder)) return;
        if (await runtime.Store.StealLeaseAsync(runId, holder, runtime.Owner, runtime.LeaseDuration, cancellationToken).ConfigureAwait(false) is not null)
        {
            LeaseOwners.TryParse(holder, out _, out var processId);
            Console.Error.WriteLine($"run {runId} was held by process {processId}, which no longer runs: taken over");
        }
    }

    /// <summary>A run whose process was killed on another machine is held until its lease expires: wait for that, up to a bound.</summary>
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
    private static async Task<int> FollowAsync(BatonRuntime runtime, RunHandle handle, Workflow workflow, bool json, CancellationToken cancellationToken)
    {
        // Ctrl+C (or SIGTERM) stops this process, not the run: the run is interrupted and stays resumable
        // (`baton runs cancel` ends a run for good).
        using var interrupt = cancellationToken.Register(handle.Interrupt);
        await Progress.FollowAsync(handle, json, CancellationToken.None).ConfigureAwait(false);
        var result = await handle.Completion.ConfigureAwait(false);
        if (result.Error?.Code == "interrupted")
        {
            Console.Error.WriteLine($"run {handle.RunId} interrupted; continue it with: baton runs resume {handle.RunId}");
            return ExitCodes.Cancelled;
        }

        // Runs the workflow's events started are children of this run: wait for them too.
        await runtime.Events.WhenIdleAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var child in await runtime.Store.ListRunsAsync(new RunQuery { ParentRunId = handle.RunId }, CancellationToken.None).ConfigureAwait(false))
        {
            if (runtime.GetActiveRun(child.RunId) is { } running) await running.Completion.ConfigureAwait(false);
        }

        var report = await RunReport.BuildForResultAsync(runtime.Store, result, workflow, CancellationToken.None).ConfigureAwait(false);
        PrintResult(report, json);
        return ExitCodes.For(result.Status);
    }

    internal static void PrintResult(Reports.RunReport report, bool json)
    {
        if (json)
        {
            Console.WriteLine(report.ToJsonString());
            return;
        }

        switch (report.Status)
        {
            case RunStatus.Succeeded:
                Console.WriteLine(Reports.RunReport.Value(report.Output) is JsonValue text && text.TryGetValue<string>(out var s) ? s : Reports.RunReport.Value(report.Output)?.ToJsonString() ?? "");
                break;
            case RunStatus.Waiting:
                var question = report.Steps.LastOrDefault(st => st.Status == "waiting")?.Question;
                Console.Error.WriteLine($"run {report.RunId} is waiting for a person: {question}");
                Console.Error.WriteLine($"answer with: baton runs answer {report.RunId} --value ...");
                break;
            case RunStatus.Running:
                Console.Error.WriteLine($"run {report.RunId} has not finished: {report.Steps.Count(st => st.Status == "succeeded")} step(s) done so far");
                break;
            default:
                Console.Error.WriteLine($"run {report.RunId} {Reports.RunReport.StatusName(report.Status)}: {report.Error?.Message}");
                break;
        }
    }
}
