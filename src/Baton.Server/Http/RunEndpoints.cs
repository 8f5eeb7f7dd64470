using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Baton.Reports;
using Baton.Server.Events;
using Baton.Storage;
using Microsoft.AspNetCore.Http;

namespace Baton.Server.Http;

/// <summary>The endpoints on runs: list, report, events, graph, answer, cancel, resume, fork.</summary>
internal static class RunEndpoints
{
    private const int MaxListLimit = 1000;

    /// <summary><c>GET /api/runs?status=&amp;workflow=&amp;limit=</c>: <c>[{ runId, workflow, status, startedAt, endedAt }]</c>, newest first.</summary>
    public static async Task<IResult> ListAsync(BatonServer server, HttpContext http)
    {
        var query = http.Request.Query;
        RunStatus? status = null;
        if (query["status"].ToString() is { Length: > 0 } statusText)
        {
            var statuses = Enum.GetValues<RunStatus>();
            var names = statuses.Select(RunReport.StatusName).ToArray();
            var index = Array.IndexOf(names, statusText.Trim().ToLowerInvariant());
            if (index < 0) throw ApiError.BadRequest("invalid_query", $"status '{statusText}' is not a run status: use {string.Join(", ", names)}");
            status = statuses[index];
        }

        var limit = server.Options.DefaultListLimit;
        if (query["limit"].ToString() is { Length: > 0 } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxListLimit))
        {
            throw ApiError.BadRequest("invalid_query", $"limit '{limitText}' must be a whole number from 1 to {MaxListLimit}");
        }

        var include = Includes.Read(http.Request, "usage");
        var workflow = query["workflow"].ToString() is { Length: > 0 } w ? w : null;
        var runs = await server.Runtime.Store.ListRunsAsync(new RunQuery { Status = status, Workflow = workflow, Limit = limit }, http.RequestAborted).ConfigureAwait(false);
        var list = new JsonArray();
        foreach (var r in runs)
        {
            var item = new JsonObject
            {
                ["runId"] = r.RunId,
                ["workflow"] = r.Workflow,
                ["status"] = RunReport.StatusName(r.Status),
                ["startedAt"] = RunReport.Time(r.StartedAt),
                // The store keeps when a run last changed: for a run that has ended, that is when it ended.
                ["endedAt"] = r.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled ? RunReport.Time(r.UpdatedAt) : null,
            };
            // Beyond the format's list, when asked: what the run spent (the dashboard's runs table shows it).
            if (include.Contains("usage")) item["usage"] = RunReport.UsageJson(await server.Usages.GetAsync(r, http.RequestAborted).ConfigureAwait(false));
            list.Add(item);
        }

        return Json.Result(list);
    }

    /// <summary><c>GET /api/runs/{id}?include=input,entry</c>: the run report, its steps' inputs and journal entries when asked.</summary>
    public static async Task<IResult> ReportAsync(BatonServer server, string runId, HttpContext http)
    {
        var include = Includes.Read(http.Request, "input", "entry");
        var cancellationToken = http.RequestAborted;
        var builder = new RunReportBuilder(server.Runtime.Store) { HiddenKeys = [BatonServer.InputsKey], WorkflowResolver = r => server.Resolve(r)?.Workflow };
        RunReport report;
        try
        {
            report = await builder.BuildAsync(runId, null, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyNotFoundException)
        {
            throw ApiError.UnknownRun(runId);
        }

        // Beyond the format's report, when asked: each step's input, where the journal tells it (the dashboard's step panel
        // shows it), and the journal entry that ended it: where a fork can continue from (`at`).
        var json = report.ToJson();
        if (include.Count == 0) return Json.Result(json);
        var journal = await server.Runtime.Store.ReadJournalAsync(runId, 0, cancellationToken).ConfigureAwait(false);
        var inputs = StepInputs.Find(journal, report.Steps, builder.HiddenKeys);
        var entries = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var entry in journal)
        {
            if (entry is { Kind: JournalEntryKind.StepCompleted or JournalEntryKind.StepFailed, Key: { } key }) entries[key] = entry.Sequence;
        }

        var steps = json["steps"]!.AsArray();
        for (var i = 0; i < report.Steps.Count; i++)
        {
            if (include.Contains("input") && inputs.TryGetValue(report.Steps[i].Key, out var input)) steps[i]!["input"] = input;
            if (include.Contains("entry")) steps[i]!["entry"] = entries.TryGetValue(report.Steps[i].Key, out var sequence) ? sequence : null;
        }

        return Json.Result(json);
    }

    /// <summary>
    /// <c>GET /api/runs/{id}/events</c>: Server-Sent Events, every event of the run so far, then live ones until it ends;
    /// each with its id, so a client that reconnects with <c>Last-Event-ID</c> gets exactly the events after it.
    /// </summary>
    public static async Task<IResult> EventsAsync(BatonServer server, string runId, HttpContext http)
    {
        var archive = await server.Archives.GetAsync(runId, http.RequestAborted).ConfigureAwait(false) ?? throw ApiError.UnknownRun(runId);
        return await StreamAsync(server, archive, runId, http).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>GET /api/events</c>: Server-Sent Events of every run this server executes, in short (<see cref="RunFeed"/>):
    /// live from now, or after <c>Last-Event-ID</c> (the feed's own ids); it ends only when the client or the server goes.
    /// </summary>
    public static Task<IResult> FeedAsync(BatonServer server, HttpContext http) => StreamAsync(server, server.Archives.Feed, null, http, fromNow: true);

    /// <summary>Writes an archive's events after the request's <c>Last-Event-ID</c> (or all, or only new ones), then live ones.</summary>
    private static async Task<IResult> StreamAsync(BatonServer server, RunEventArchive archive, string? runId, HttpContext http, bool fromNow = false)
    {
        var lastId = http.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : http.Request.Query["lastEventId"].ToString();
        long after = fromNow ? archive.LastId : 0;
        if (lastId.Length > 0 && (!long.TryParse(lastId, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            throw ApiError.BadRequest("invalid_event_id", $"Last-Event-ID '{lastId}' is not an event id of this stream");
        }

        // Nothing more will come: 204 tells an EventSource to stop reconnecting.
        if (archive.HasEnded && after >= archive.LastId) return Results.NoContent();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, server.Stopping);
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            await response.StartAsync(stop.Token).ConfigureAwait(false);
            // The headers go out now, not with the first event or heartbeat: a client waits for them before it reads.
            await response.Body.FlushAsync(stop.Token).ConfigureAwait(false);
            var heartbeat = server.Options.HeartbeatInterval;
            await foreach (var (id, data) in archive.ReadAsync(after, heartbeat, server.Runtime.TimeProvider, stop.Token).ConfigureAwait(false))
            {
                var text = id == 0 ? ": keep-alive\n\n"
                    : id < 0
                    ? $"data: {new JsonObject { ["type"] = "eventsSkipped", ["runId"] = runId, ["path"] = null, ["time"] = null, ["count"] = long.Parse(data, CultureInfo.InvariantCulture) }.ToJsonString(RunEventJson.Compact)}\n\n"
                    : string.Create(CultureInfo.InvariantCulture, $"id: {id}\ndata: {data}\n\n");
                await response.WriteAsync(text, stop.Token).ConfigureAwait(false);
                await response.Body.FlushAsync(stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went away, or the server stops.
        }
        catch (IOException)
        {
            // The connection broke while an event was written: the client reconnects with the last id it read.
        }

        return Results.Empty;
    }

    /// <summary>
    /// <c>GET /api/runs/{id}/graph</c>: the run's workflow as a Mermaid flowchart; with <c>?format=json</c>, as the
    /// nested scopes of <see cref="Workflows.WorkflowGraph"/> (what the dashboard draws).
    /// </summary>
    public static async Task<IResult> GraphAsync(BatonServer server, string runId, HttpContext http)
    {
        var format = http.Request.Query["format"].ToString();
        if (format is not ("" or "mermaid" or "json")) throw ApiError.BadRequest("invalid_query", $"format '{format}' is not a graph format: use mermaid or json");
        var record = await GetRunAsync(server, runId, http.RequestAborted).ConfigureAwait(false);
        var workflow = WorkflowOf(server, record);
        return format == "json" ? Json.Result(Workflows.WorkflowGraph.ToJson(workflow, ReportPath.StepIdOf(BatonServer.InputsKey))) : Results.Text(workflow.ToMermaid(), "text/plain; charset=utf-8");
    }

    /// <summary><c>POST /api/runs/{id}/answer</c> <c>{ value }</c>: answers the run's open question and continues it here (or where the server's executor runs it).</summary>
    public static async Task<IResult> AnswerAsync(BatonServer server, string runId, HttpContext http)
    {
        var body = await RequestBody.ReadObjectAsync(http.Request, server.Options.MaxRequestBodyBytes, http.RequestAborted).ConfigureAwait(false);
        var value = body["value"] switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            null => throw ApiError.BadRequest("invalid_body", "the body must hold the answer: { \"value\": ... }"),
            var other => other.ToJsonString(),
        };
        var record = await GetRunAsync(server, runId, http.RequestAborted).ConfigureAwait(false);
        var open = await server.Runtime.Humans.ListOpenAsync(runId, http.RequestAborted).ConfigureAwait(false);
        if (open.Count == 0) throw ApiError.Conflict("not_waiting", $"run '{runId}' is not waiting for an answer (it is {RunReport.StatusName(record.Status)})");
        if (server.Executor is { } executor)
        {
            // The answer goes to the run where runs execute, which checks it before anything changes and continues the run there;
            // its stream holds the question first.
            await server.Archives.CatchUpStoredAsync(runId, http.RequestAborted).ConfigureAwait(false);
            if (await executor.AnswerAsync(runId, value, http.RequestAborted).ConfigureAwait(false) is { } refused)
            {
                throw ApiError.BadRequest("answer_refused", $"the answer was not accepted: {refused}; run '{runId}' still waits for: {open[0].Prompt}");
            }

            await server.Archives.FollowStoredAsync(runId, http.RequestAborted).ConfigureAwait(false);
            return Json.Result(new JsonObject { ["runId"] = runId, ["resumed"] = true }, StatusCodes.Status202Accepted);
        }

        // A run that has just asked may still be suspending (its question is stored before it lets go of the run):
        // let it finish, so the answer can resume it here. A run waiting in memory (a store that is not durable) stays.
        if (server.Runtime.GetActiveRun(runId) is { } suspending && server.Runtime.HumanWaitInMemory == TimeSpan.Zero)
        {
            await suspending.Completion.WaitAsync(http.RequestAborted).ConfigureAwait(false);
        }

        // The archive is told the run's events so far before the answer continues it.
        await server.Archives.GetAsync(runId, http.RequestAborted).ConfigureAwait(false);
        var answer = await server.Runtime.Humans.AnswerAsync(open[0].Id, value, http.RequestAborted).ConfigureAwait(false);
        if (!answer.Accepted)
        {
            throw ApiError.BadRequest("answer_refused", $"the answer was not accepted: {answer.Reason}; run '{runId}' still waits for: {open[0].Prompt}");
        }

        var handle = answer.Run;
        if (handle is null && server.Runtime.GetActiveRun(runId) is null && server.Resolve(record)?.Workflow is { } workflow)
        {
            try
            {
                handle = await server.Runtime.ResumeAsync(runId, workflow, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Held by another process: the answer waits in the store for whoever resumes the run.
            }
        }

        if (handle is not null) server.Archives.Follow(handle);
        return Json.Result(new JsonObject { ["runId"] = runId, ["resumed"] = handle is not null || server.Runtime.GetActiveRun(runId) is not null }, StatusCodes.Status202Accepted);
    }

    /// <summary><c>POST /api/runs/{id}/cancel</c>: cancels a run executing here, or one that waits or was interrupted.</summary>
    public static async Task<IResult> CancelAsync(BatonServer server, string runId, HttpContext http)
    {
        await RequestBody.ReadObjectAsync(http.Request, server.Options.MaxRequestBodyBytes, http.RequestAborted).ConfigureAwait(false);
        var record = await GetRunAsync(server, runId, http.RequestAborted).ConfigureAwait(false);
        if (record.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled)
        {
            throw ApiError.Conflict("already_ended", $"run '{runId}' already {RunReport.StatusName(record.Status)}");
        }

        if (server.Executor is { } executor)
        {
            // Its worker stops it (or, executing nowhere, it is cancelled in the store); the stream tells its end from the journal,
            // after what it had come to (a question it waited on included).
            await server.Archives.CatchUpStoredAsync(runId, http.RequestAborted).ConfigureAwait(false);
            try
            {
                await executor.CancelAsync(runId, http.RequestAborted).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex)
            {
                throw ApiError.Conflict("held", ex.Message);
            }

            await server.Archives.FollowStoredAsync(runId, http.RequestAborted).ConfigureAwait(false);
            record = await GetRunAsync(server, runId, http.RequestAborted).ConfigureAwait(false);
            return Json.Result(new JsonObject { ["runId"] = runId, ["status"] = RunReport.StatusName(record.Status) });
        }

        if (server.Runtime.GetActiveRun(runId) is { } active)
        {
            active.Cancel();
            await active.Completion.ConfigureAwait(false);
            // A run that was just suspending (it had asked) let go as waiting: it is cancelled in the store below.
            record = await GetRunAsync(server, runId, http.RequestAborted).ConfigureAwait(false);
            if (record.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled)
            {
                return Json.Result(new JsonObject { ["runId"] = runId, ["status"] = RunReport.StatusName(record.Status) });
            }
        }

        var store = server.Runtime.Store;
        var lease = await store.TryAcquireLeaseAsync(runId, server.Runtime.Owner, server.Runtime.LeaseDuration, http.RequestAborted).ConfigureAwait(false)
            ?? throw ApiError.Conflict("held", $"run '{runId}' is running in another process ({record.LeaseOwner}); cancel it there");
        try
        {
            var now = server.Runtime.TimeProvider.GetUtcNow();
            await store.AppendAsync(lease, new JournalEntry { Kind = JournalEntryKind.RunCancelled, Error = new StepError(ErrorKind.Fatal, "the run was cancelled") { Code = "cancelled" }, Timestamp = now }, http.RequestAborted).ConfigureAwait(false);
            await store.SetStatusAsync(lease, RunStatus.Cancelled, http.RequestAborted).ConfigureAwait(false);
            foreach (var request in await store.ListHumanRequestsAsync(runId, openOnly: true, http.RequestAborted).ConfigureAwait(false))
            {
                await store.CloseHumanRequestAsync(request.Id, HumanRequestStatus.Withdrawn, null, now, http.RequestAborted).ConfigureAwait(false);
            }
        }
        finally
        {
            await store.ReleaseLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
        }

        // A stream following the waiting run ends with it.
        if (await server.Archives.GetAsync(runId, http.RequestAborted).ConfigureAwait(false) is { } archive)
        {
            archive.Add(new JsonObject { ["type"] = "runEnded", ["runId"] = runId, ["path"] = null, ["time"] = RunReport.Time(server.Runtime.TimeProvider.GetUtcNow()), ["status"] = "cancelled", ["output"] = null, ["error"] = new JsonObject { ["message"] = "the run was cancelled", ["kind"] = "fatal", ["step"] = null, ["code"] = "cancelled" } }.ToJsonString(RunEventJson.Compact));
            archive.End();
        }

        return Json.Result(new JsonObject { ["runId"] = runId, ["status"] = "cancelled" });
    }

    /// <summary><c>POST /api/runs/{id}/resume</c>: continues a run that was interrupted (or waits), here: 202 <c>{ runId }</c>.</summary>
    public static async Task<IResult> ResumeAsync(BatonServer server, string runId, HttpContext http)
    {
        await RequestBody.ReadObjectAsync(http.Request, server.Options.MaxRequestBodyBytes, http.RequestAborted).ConfigureAwait(false);
        var record = await GetRunAsync(server, runId, http.RequestAborted).ConfigureAwait(false);
        var workflow = WorkflowOf(server, record);
        if (server.Executor is { } executor)
        {
            if (record.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled)
            {
                throw ApiError.Conflict("not_resumable", $"run '{runId}' already {RunReport.StatusName(record.Status)}; nothing to resume");
            }

            // Continued where runs execute when nobody alive holds it; a run waiting for a person keeps waiting.
            await executor.ResumeAsync(runId, http.RequestAborted).ConfigureAwait(false);
            await server.Archives.FollowStoredAsync(runId, http.RequestAborted).ConfigureAwait(false);
            return Json.Result(new JsonObject { ["runId"] = runId }, StatusCodes.Status202Accepted);
        }

        await server.Archives.GetAsync(runId, http.RequestAborted).ConfigureAwait(false);
        RunHandle handle;
        try
        {
            handle = await server.Runtime.ResumeAsync(runId, workflow, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            throw ApiError.Conflict("not_resumable", ex.Message);
        }

        server.Archives.Follow(handle);
        return Json.Result(new JsonObject { ["runId"] = runId }, StatusCodes.Status202Accepted);
    }

    /// <summary><c>POST /api/runs/{id}/fork</c> <c>{ at, state }</c>: a new run continuing from entry <c>at</c> of this one, with state edited: 202 <c>{ runId }</c>.</summary>
    public static async Task<IResult> ForkAsync(BatonServer server, string runId, HttpContext http)
    {
        var body = await RequestBody.ReadObjectAsync(http.Request, server.Options.MaxRequestBodyBytes, http.RequestAborted).ConfigureAwait(false);
        if (body["at"] is not JsonValue atValue || !atValue.TryGetValue<long>(out var at) || at < 1)
        {
            throw ApiError.BadRequest("invalid_body", "'at' must be a journal entry's number, from 1 (see baton runs history)");
        }

        var edits = new Dictionary<string, Payload>(StringComparer.Ordinal);
        switch (body["state"])
        {
            case null:
                break;
            case JsonObject state:
                foreach (var (name, value) in state)
                {
                    edits[name] = value is JsonValue text && text.GetValueKind() == JsonValueKind.String ? Payload.FromText(text.GetValue<string>()) : Payload.ParseJson(value?.ToJsonString() ?? "null");
                }

                break;
            default:
                throw ApiError.BadRequest("invalid_body", "'state' must be an object of state names and values");
        }

        var record = await GetRunAsync(server, runId, http.RequestAborted).ConfigureAwait(false);
        var workflow = WorkflowOf(server, record);
        RunHandle handle;
        try
        {
            if (server.Executor is { } executor)
            {
                // Stored here, continued from its journal where runs execute (as an interrupted run is).
                var forkId = await server.Runtime.CreateForkAsync(runId, at, edits, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                await executor.ResumeAsync(forkId, CancellationToken.None).ConfigureAwait(false);
                await server.Archives.FollowStoredAsync(forkId, http.RequestAborted).ConfigureAwait(false);
                return Json.Result(new JsonObject { ["runId"] = forkId, ["forkedFrom"] = runId }, StatusCodes.Status202Accepted);
            }

            handle = await server.Runtime.ForkAsync(runId, at, edits, workflow, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw ApiError.BadRequest("invalid_body", $"'at' {at} is past the end of the journal: {ex.Message.Split(" (Parameter")[0]}");
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            throw ApiError.Conflict("not_forkable", ex.Message.Split(" (Parameter")[0]);
        }

        server.Archives.Follow(handle);
        return Json.Result(new JsonObject { ["runId"] = handle.RunId, ["forkedFrom"] = runId }, StatusCodes.Status202Accepted);
    }

    private static async Task<RunRecord> GetRunAsync(BatonServer server, string runId, CancellationToken cancellationToken) =>
        await server.Runtime.Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw ApiError.UnknownRun(runId);

    private static Workflow WorkflowOf(BatonServer server, RunRecord record) =>
        server.Resolve(record)?.Workflow
        ?? throw ApiError.Conflict("workflow_unavailable", $"run '{record.RunId}' stored no workflow file this server can rebuild (it was not started from a workflow file)");
}
