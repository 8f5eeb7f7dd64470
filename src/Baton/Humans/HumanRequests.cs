using System.Collections.Concurrent;
using Baton.Storage;

namespace Baton;

/// <summary>
/// Questions runs put to people, and their answers. A step asks; the request is saved in the run store;
/// the step waits in memory for up to <see cref="BatonOptions.HumanWaitInMemory"/>, then its run suspends
/// (status <see cref="RunStatus.Waiting"/>, holding no thread, memory or lease). An answer given through
/// <see cref="AnswerAsync"/> — in this process or another, before or after a restart — is validated, recorded,
/// and wakes the waiting step or resumes the suspended run.
/// </summary>
public sealed class HumanRequests
{
    private readonly IRunLauncher _runtime;
    private readonly ConcurrentDictionary<string, Waiter> _waiting = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _statusLock = new(1, 1);
    private readonly HashSet<string> _waitingRuns = new(StringComparer.Ordinal);
    private readonly Func<HumanRequest, string, string?>? _validator;

    internal HumanRequests(IRunLauncher runtime, Func<HumanRequest, string, string?>? validator)
    {
        _runtime = runtime;
        _validator = validator;
    }

    /// <summary>The requests steps of this runtime are waiting on in memory, oldest first (all open requests: <see cref="ListOpenAsync"/>).</summary>
    public IReadOnlyList<HumanRequest> Pending =>
        _waiting.Values.Select(o => o.Request).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).ToArray();

    /// <summary>A request a step of this runtime is waiting on in memory, or null.</summary>
    public HumanRequest? Find(string requestId)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        return _waiting.TryGetValue(requestId, out var open) ? open.Request : null;
    }

    /// <summary>Every open request in the store (of one run, or of all), oldest first: those of suspended runs too.</summary>
    public async Task<IReadOnlyList<HumanRequest>> ListOpenAsync(string? runId = null, CancellationToken cancellationToken = default) =>
        await _runtime.Store.ListHumanRequestsAsync(runId, openOnly: true, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Answers an open request. With choices, the answer must be one of them (compared trimmed and ignoring case;
    /// the choice's own spelling is what the step receives); with an answer schema, it must satisfy it; otherwise it
    /// must not be empty. A rejected answer leaves the request open and says why. An accepted one wakes the step
    /// waiting in memory, or resumes the suspended run in this runtime when it knows the run's workflow
    /// (<see cref="HumanAnswerResult.Run"/>); otherwise the answer waits in the store for whoever resumes the run.
    /// </summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="value">The answer.</param>
    /// <param name="cancellationToken">Stops reading and writing the store.</param>
    public async ValueTask<HumanAnswerResult> AnswerAsync(string requestId, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        ArgumentNullException.ThrowIfNull(value);
        var request = _waiting.TryGetValue(requestId, out var waiter) ? waiter.Request
            : await _runtime.Store.GetHumanRequestAsync(requestId, cancellationToken).ConfigureAwait(false);
        if (request is null) return new HumanAnswerResult(false, null, $"there is no request '{requestId}'", null);
        if (request.Status != HumanRequestStatus.Open)
        {
            return new HumanAnswerResult(false, null, $"request '{requestId}' is no longer open: it was {request.Status.ToString().ToLowerInvariant()}", request);
        }

        var now = _runtime.TimeProvider.GetUtcNow();
        if (request.ExpiresAt <= now)
        {
            return new HumanAnswerResult(false, null, $"request '{requestId}' expired at {request.ExpiresAt:O}", request);
        }

        var accepted = Accept(request, value, out var reason);
        if (accepted is null) return new HumanAnswerResult(false, null, reason, request);
        if (!await _runtime.Store.CloseHumanRequestAsync(requestId, HumanRequestStatus.Answered, accepted, now, cancellationToken).ConfigureAwait(false))
        {
            return new HumanAnswerResult(false, null, $"request '{requestId}' was already answered, withdrawn or expired", request);
        }

        var answered = request with { Status = HumanRequestStatus.Answered, Answer = accepted, ClosedAt = now };
        if (waiter is not null && waiter.Answer.TrySetResult(accepted)) return new HumanAnswerResult(true, accepted, null, answered);
        return new HumanAnswerResult(true, accepted, null, answered) { Run = await TryResumeAsync(request.RunId, cancellationToken).ConfigureAwait(false) };
    }

    /// <summary>
    /// Resumes the suspended runs whose open requests have passed their deadline, so each asking step takes its
    /// error route; returns their handles. A host calls this periodically (suspended runs hold no timer).
    /// </summary>
    public async Task<IReadOnlyList<RunHandle>> ResumeExpiredAsync(CancellationToken cancellationToken = default)
    {
        var now = _runtime.TimeProvider.GetUtcNow();
        var handles = new List<RunHandle>();
        var open = await _runtime.Store.ListHumanRequestsAsync(null, openOnly: true, cancellationToken).ConfigureAwait(false);
        foreach (var runId in open.Where(r => r.ExpiresAt <= now).Select(r => r.RunId).Distinct(StringComparer.Ordinal))
        {
            if (await TryResumeAsync(runId, cancellationToken).ConfigureAwait(false) is { } handle) handles.Add(handle);
        }

        return handles;
    }

    /// <summary>
    /// Asks a person on behalf of a step and waits for the answer (see the class remarks for how long in memory).
    /// Asking again for the same run and step key — a step re-run after a resume — finds the same request and its answer.
    /// </summary>
    /// <param name="runId">The run that waits.</param>
    /// <param name="stepKey">The key of the step that asks (with a suffix for a step's second and later questions).</param>
    /// <param name="question">What to ask.</param>
    /// <param name="cancellationToken">Stops waiting (the request stays open for a resumed run; a cancelled run withdraws it).</param>
    /// <returns>The answer (for choices, in the choice's spelling).</returns>
    /// <exception cref="AgentException">The request expired (code <c>human_timeout</c>).</exception>
    public ValueTask<string> AskAsync(string runId, string stepKey, HumanQuestion question, CancellationToken cancellationToken = default) =>
        AskAsync(runId, stepKey, question, _runtime.GetActiveRun(runId)?.Execution, cancellationToken);

    internal async ValueTask<string> AskAsync(string runId, string stepKey, HumanQuestion question, RunExecution? run, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(stepKey);
        ArgumentNullException.ThrowIfNull(question);
        ArgumentException.ThrowIfNullOrWhiteSpace(question.Prompt);
        cancellationToken.ThrowIfCancellationRequested();
        var time = _runtime.TimeProvider;
        var now = time.GetUtcNow();
        if (run is not null) run.MayHaveOpenRequests = true;
        var request = new HumanRequest
        {
            Id = string.Concat(runId, ":", stepKey),
            RunId = runId,
            StepKey = stepKey,
            Prompt = question.Prompt,
            Choices = question.Choices is null ? [] : [.. question.Choices.Where(c => !string.IsNullOrWhiteSpace(c)).Distinct(StringComparer.Ordinal)],
            AnswerSchema = question.AnswerSchema,
            Details = question.Details,
            CreatedAt = now,
            ExpiresAt = question.Timeout is { } timeout ? now + timeout : null,
        };
        var stored = await _runtime.Store.SaveHumanRequestAsync(request, cancellationToken).ConfigureAwait(false);
        for (var n = 2; stored.Status == HumanRequestStatus.Withdrawn; n++)
        {
            // Withdrawn when the run was cancelled before an answer; resumed since, it asks anew.
            stored = await _runtime.Store.SaveHumanRequestAsync(request with { Id = $"{request.Id}~{n}" }, cancellationToken).ConfigureAwait(false);
        }

        switch (stored.Status)
        {
            case HumanRequestStatus.Answered:
                return stored.Answer!;
            case HumanRequestStatus.Expired:
                throw Expired(stored);
        }

        if (stored.ExpiresAt <= now)
        {
            await _runtime.Store.CloseHumanRequestAsync(stored.Id, HumanRequestStatus.Expired, null, now, CancellationToken.None).ConfigureAwait(false);
            throw Expired(stored);
        }

        var hold = _runtime.HumanWaitInMemory;
        if (stored.ExpiresAt is { } expires && (hold == Timeout.InfiniteTimeSpan || expires - now < hold)) hold = expires - now;
        if (hold == TimeSpan.Zero)
        {
            run?.Events.Add(new StepWaitingForHumanEvent(runId, now, stepKey, stored));
            throw new RunSuspendedException(stored);
        }

        var waiter = new Waiter(stored);
        _waiting[stored.Id] = waiter;
        try
        {
            await UpdateStatusAsync(runId, run).ConfigureAwait(false);
            run?.Events.Add(new StepWaitingForHumanEvent(runId, now, stepKey, stored));
            try
            {
                return hold == Timeout.InfiniteTimeSpan
                    ? await waiter.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false)
                    : await waiter.Answer.Task.WaitAsync(hold, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // An answer given in another process lands in the store only.
                var latest = await _runtime.Store.GetHumanRequestAsync(stored.Id, CancellationToken.None).ConfigureAwait(false) ?? stored;
                if (latest.Status == HumanRequestStatus.Answered) return latest.Answer!;
                if (stored.ExpiresAt <= time.GetUtcNow())
                {
                    await _runtime.Store.CloseHumanRequestAsync(stored.Id, HumanRequestStatus.Expired, null, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                    throw Expired(stored);
                }

                throw new RunSuspendedException(stored);
            }
        }
        finally
        {
            _waiting.TryRemove(stored.Id, out _);
            await UpdateStatusAsync(runId, run).ConfigureAwait(false);
        }
    }

    /// <summary>Withdraws a finished run's open requests: nobody needs to answer them any more.</summary>
    internal async ValueTask WithdrawAsync(string runId)
    {
        try
        {
            var now = _runtime.TimeProvider.GetUtcNow();
            foreach (var request in await _runtime.Store.ListHumanRequestsAsync(runId, openOnly: true, CancellationToken.None).ConfigureAwait(false))
            {
                await _runtime.Store.CloseHumanRequestAsync(request.Id, HumanRequestStatus.Withdrawn, null, now, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            _runtime.Logger.LogStoreFailure(runId, ex);
        }
    }

    private async Task<RunHandle?> TryResumeAsync(string runId, CancellationToken cancellationToken)
    {
        if (_runtime.GetActiveRun(runId) is not null) return null;
        var record = await _runtime.Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (record is not { Status: RunStatus.Waiting } || _runtime.ResolveWorkflow(record) is null) return null;
        try
        {
            return await _runtime.ResumeAsync(runId, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            // Another process took it first; it will find the answer in the store.
            _runtime.Logger.LogResumeSkipped(runId, ex.Message);
            return null;
        }
    }

    private static AgentException Expired(HumanRequest request) =>
        new(ErrorKind.Recoverable, $"nobody answered '{request.Prompt}' before {request.ExpiresAt:O}") { Code = "human_timeout" };

    private string? Accept(HumanRequest request, string value, out string? reason)
    {
        reason = null;
        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            reason = "the answer is empty";
            return null;
        }

        if (request.Choices.Count > 0)
        {
            string? choice = null;
            foreach (var c in request.Choices)
            {
                if (string.Equals(c, value, StringComparison.Ordinal)) choice = c;
            }

            foreach (var c in request.Choices)
            {
                if (choice is null && string.Equals(c.Trim(), trimmed, StringComparison.OrdinalIgnoreCase)) choice = c;
            }

            if (choice is null)
            {
                reason = $"'{trimmed}' is not one of the choices: {string.Join(", ", request.Choices.Select(c => $"'{c}'"))}";
                return null;
            }

            value = choice;
        }

        if (request.AnswerSchema is not null)
        {
            try
            {
                Payload.ParseJson(value);
            }
            catch (System.Text.Json.JsonException ex)
            {
                reason = $"the answer must be JSON matching the request's schema: {ex.Message}";
                return null;
            }

            if (_validator?.Invoke(request, value) is { } invalid)
            {
                reason = invalid;
                return null;
            }
        }

        return value;
    }

    /// <summary>Sets the run Waiting while a step waits in memory and back to Running when none does, in order.</summary>
    private async ValueTask UpdateStatusAsync(string runId, RunExecution? run)
    {
        if (run is null) return;
        await _statusLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var waiting = _waiting.Values.Any(o => o.Request.RunId == runId);
            if (waiting == _waitingRuns.Contains(runId)) return;
            if (waiting) _waitingRuns.Add(runId);
            else _waitingRuns.Remove(runId);
            await _runtime.Store.SetStatusAsync(run.Lease, waiting ? RunStatus.Waiting : RunStatus.Running, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The wait itself goes on; only the status the store shows is stale.
            _runtime.Logger.LogStoreFailure(runId, ex);
        }
        finally
        {
            _statusLock.Release();
        }
    }

    private sealed class Waiter(HumanRequest request)
    {
        public HumanRequest Request { get; } = request;

        public TaskCompletionSource<string> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
