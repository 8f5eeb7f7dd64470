using System.Collections.Concurrent;

namespace Baton;

/// <summary>
/// Questions runs put to people, and their answers: a step asks and waits; whoever answers
/// (a CLI, an API, a dashboard) lists <see cref="Pending"/> and calls <see cref="AnswerAsync"/>.
/// While a run has a question open its status is <see cref="RunStatus.Waiting"/>, and
/// <see cref="StepWaitingForHumanEvent"/> is in its event stream.
/// </summary>
/// <remarks>
/// Requests live in this runtime's memory: a run waiting when the process stops asks again when
/// it is resumed. Durable requests, answered after a restart, come with the durable stores.
/// </remarks>
public sealed class HumanRequests
{
    private readonly BatonRuntime _runtime;
    private readonly ConcurrentDictionary<string, Open> _open = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _statusLock = new(1, 1);
    private readonly HashSet<string> _waitingRuns = new(StringComparer.Ordinal);

    internal HumanRequests(BatonRuntime runtime) => _runtime = runtime;

    /// <summary>The open requests, oldest first.</summary>
    public IReadOnlyList<HumanRequest> Pending =>
        _open.Values.Select(o => o.Request).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).ToArray();

    /// <summary>The open request with this id, or null.</summary>
    public HumanRequest? Find(string requestId)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        return _open.TryGetValue(requestId, out var open) ? open.Request : null;
    }

    /// <summary>
    /// Answers an open request. With choices, the answer must be one of them (compared trimmed and
    /// ignoring case; the choice's own spelling is what the step receives); without, it must not be
    /// empty. A rejected answer leaves the request open and says why.
    /// </summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="value">The answer.</param>
    /// <param name="cancellationToken">Reserved for stores that record answers.</param>
    public ValueTask<HumanAnswerResult> AnswerAsync(string requestId, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        ArgumentNullException.ThrowIfNull(value);
        if (!_open.TryGetValue(requestId, out var open))
        {
            return new(new HumanAnswerResult(false, null, $"there is no open request '{requestId}'", null));
        }

        var request = open.Request;
        var accepted = Accept(request, value, out var reason);
        if (accepted is null) return new(new HumanAnswerResult(false, null, reason, request));
        return open.Answer.TrySetResult(accepted)
            ? new(new HumanAnswerResult(true, accepted, null, request))
            : new(new HumanAnswerResult(false, null, $"request '{requestId}' was already answered or withdrawn", request));
    }

    /// <summary>
    /// Asks a person and waits for the answer: the request is listed in <see cref="Pending"/>, the run's
    /// status is Waiting until its last open request is answered, and a <see cref="StepWaitingForHumanEvent"/>
    /// goes to the run's event stream when this runtime is executing it. Cancelling withdraws the request.
    /// </summary>
    /// <param name="runId">The run that waits.</param>
    /// <param name="stepKey">The key of the step that asks.</param>
    /// <param name="prompt">What to ask.</param>
    /// <param name="choices">The answers allowed; null or empty for any non-empty answer.</param>
    /// <param name="details">What the person needs to decide, if anything.</param>
    /// <param name="cancellationToken">Withdraws the request.</param>
    /// <returns>The answer (for choices, in the choice's spelling).</returns>
    public ValueTask<string> AskAsync(string runId, string stepKey, string prompt, IReadOnlyList<string>? choices = null, Payload? details = null, CancellationToken cancellationToken = default) =>
        AskAsync(runId, stepKey, prompt, choices, details, _runtime.GetActiveRun(runId)?.EventLog, cancellationToken);

    internal async ValueTask<string> AskAsync(string runId, string stepKey, string prompt, IReadOnlyList<string>? choices, Payload? details, RunEventLog? events, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(stepKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(prompt);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _runtime.TimeProvider.GetUtcNow();
        var request = new HumanRequest
        {
            Id = RunIds.New(now),
            RunId = runId,
            StepKey = stepKey,
            Prompt = prompt,
            Choices = choices is null ? [] : [.. choices.Where(c => !string.IsNullOrWhiteSpace(c)).Distinct(StringComparer.Ordinal)],
            Details = details,
            CreatedAt = now,
        };
        var open = new Open(request);
        _open[request.Id] = open;
        try
        {
            await UpdateStatusAsync(runId).ConfigureAwait(false);
            events?.Add(new StepWaitingForHumanEvent(runId, now, stepKey, request));
            return await open.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _open.TryRemove(request.Id, out _);
            open.Answer.TrySetCanceled(CancellationToken.None);
            await UpdateStatusAsync(runId).ConfigureAwait(false);
        }
    }

    private static string? Accept(HumanRequest request, string value, out string? reason)
    {
        reason = null;
        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            reason = "the answer is empty";
            return null;
        }

        if (request.Choices.Count == 0) return value;
        foreach (var choice in request.Choices)
        {
            if (string.Equals(choice, value, StringComparison.Ordinal)) return choice;
        }

        foreach (var choice in request.Choices)
        {
            if (string.Equals(choice.Trim(), trimmed, StringComparison.OrdinalIgnoreCase)) return choice;
        }

        reason = $"'{trimmed}' is not one of the choices: {string.Join(", ", request.Choices.Select(c => $"'{c}'"))}";
        return null;
    }

    /// <summary>Sets the run Waiting while it has an open request and back to Running when it has none, in order.</summary>
    private async ValueTask UpdateStatusAsync(string runId)
    {
        await _statusLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var waiting = _open.Values.Any(o => o.Request.RunId == runId);
            if (waiting == _waitingRuns.Contains(runId)) return;
            if (waiting) _waitingRuns.Add(runId);
            else _waitingRuns.Remove(runId);
            await _runtime.Store.SetStatusAsync(runId, waiting ? RunStatus.Waiting : RunStatus.Running, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The wait itself is in memory and goes on; only the status the store shows is stale.
            _runtime.Logger.LogStoreFailure(runId, ex);
        }
        finally
        {
            _statusLock.Release();
        }
    }

    private sealed class Open(HumanRequest request)
    {
        public HumanRequest Request { get; } = request;

        public TaskCompletionSource<string> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
