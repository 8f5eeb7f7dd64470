namespace Baton.Testing;

/// <summary>
/// A deterministic agent that plays a script: one scripted behaviour per call, in order.
/// A call beyond the script fails the step fatally and is reported by <see cref="Verify"/>;
/// so is a script not played to its end. Use <see cref="AgentScript"/> to verify every agent of a test at once.
/// </summary>
public sealed class ScriptedAgent : IAgent
{
    private readonly List<Func<Payload, IStepContext, CancellationToken, ValueTask<AgentResult>>> _script = [];
    private readonly List<ScriptedCall> _calls = [];
    private readonly Lock _lock = new();
    private Func<Payload, IStepContext, CancellationToken, ValueTask<AgentResult>>? _forever;

    /// <summary>Creates an agent with an empty script.</summary>
    public ScriptedAgent(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Calls made so far.</summary>
    public int CallCount
    {
        get
        {
            lock (_lock) return _calls.Count;
        }
    }

    /// <summary>Every call: input, attempt and idempotency key, in call order.</summary>
    public IReadOnlyList<ScriptedCall> Calls
    {
        get
        {
            lock (_lock) return [.. _calls];
        }
    }

    /// <summary>Calls the script expects (more are allowed after ThenAlways).</summary>
    public int ScriptedCalls => _script.Count;

    /// <summary>Next call returns <paramref name="output"/>.</summary>
    public ScriptedAgent Returns(Payload output, double? confidence = null) =>
        Then((_, _, _) => new ValueTask<AgentResult>(AgentResult.Success(output, confidence)));

    /// <summary>Next call fails with an error of <paramref name="kind"/>.</summary>
    public ScriptedAgent Fails(ErrorKind kind, string message = "scripted failure", TimeSpan? retryAfter = null, Payload? partial = null) =>
        Then((_, _, _) => new ValueTask<AgentResult>(AgentResult.Failure(new StepError(kind, message, null, partial) { RetryAfter = retryAfter })));

    /// <summary>Next call throws <paramref name="exception"/>.</summary>
    public ScriptedAgent Throws(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Then((_, _, _) => throw exception);
    }

    /// <summary>Next call waits for <paramref name="gate"/> (or its cancellation), then returns <paramref name="output"/>.</summary>
    public ScriptedAgent WaitsFor(Task gate, Payload output) =>
        Then(async (_, _, ct) =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            return AgentResult.Success(output);
        });

    /// <summary>Next call waits until it is cancelled, then rethrows the cancellation.</summary>
    public ScriptedAgent BlocksUntilCancelled(TaskCompletionSource? started = null) =>
        Then(async (_, _, ct) =>
        {
            started?.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            return default;
        });

    /// <summary>Next call runs <paramref name="behaviour"/>.</summary>
    public ScriptedAgent Then(Func<Payload, IStepContext, CancellationToken, ValueTask<AgentResult>> behaviour)
    {
        ArgumentNullException.ThrowIfNull(behaviour);
        if (_forever is not null) throw new InvalidOperationException($"'{Name}' already repeats forever; nothing can follow");
        _script.Add(behaviour);
        return this;
    }

    /// <summary>Every call after the script runs <paramref name="behaviour"/>, with no upper bound.</summary>
    public ScriptedAgent ThenAlways(Func<Payload, IStepContext, CancellationToken, ValueTask<AgentResult>> behaviour)
    {
        _forever = behaviour ?? throw new ArgumentNullException(nameof(behaviour));
        return this;
    }

    /// <summary>Every call after the script maps its input with <paramref name="map"/>.</summary>
    public ScriptedAgent ThenAlways(Func<Payload, Payload> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return ThenAlways((input, _, _) => new ValueTask<AgentResult>(AgentResult.Success(map(input))));
    }

    /// <inheritdoc/>
    public ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        int index;
        lock (_lock)
        {
            index = _calls.Count;
            _calls.Add(new ScriptedCall(input, context.Attempt, context.IdempotencyKey, context.StepId));
        }

        if (index < _script.Count) return _script[index](input, context, cancellationToken);
        if (_forever is not null) return _forever(input, context, cancellationToken);
        return new ValueTask<AgentResult>(AgentResult.Failure(new StepError(ErrorKind.Fatal,
            $"scripted agent '{Name}' was called {index + 1} times but scripted for {_script.Count}") { Code = "script" }));
    }

    /// <summary>Throws <see cref="ScriptMismatchException"/> unless the agent was called exactly as often as scripted.</summary>
    public void Verify()
    {
        var calls = CallCount;
        if (_forever is null ? calls != _script.Count : calls < _script.Count)
        {
            throw new ScriptMismatchException($"scripted agent '{Name}' was called {calls} time(s) but scripted for {_script.Count}{(_forever is null ? string.Empty : " or more")}");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>One call a <see cref="ScriptedAgent"/> received.</summary>
/// <param name="Input">The input.</param>
/// <param name="Attempt">The step attempt.</param>
/// <param name="IdempotencyKey">The step's idempotency key.</param>
/// <param name="StepId">The step that called.</param>
public sealed record ScriptedCall(Payload Input, int Attempt, string IdempotencyKey, string StepId);

/// <summary>A scripted agent was called more or fewer times than its script says.</summary>
public sealed class ScriptMismatchException(string message) : Exception(message);
