namespace Baton;

/// <summary>The engine's <see cref="IStepContext"/>: buffers a step's effects until it commits.</summary>
internal sealed class StepContext(RunExecution run, string key, string stepId, int attempt) : IStepContext
{
    private List<StateChange>? _changes;
    private List<Message>? _messages;

    public string RunId => run.RunId;

    public string StepId => stepId;

    public string IdempotencyKey => run.RunId + "/" + key;

    public int Attempt => attempt;

    public IRunStateView State => run.State;

    public TimeProvider TimeProvider => run.Time;

    public IServiceProvider? Services => run.Runtime.Services;

    internal IReadOnlyList<StateChange>? Changes => _changes;

    internal IReadOnlyList<Message>? Messages => _messages;

    public void SetState(string name, Payload value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        lock (this) (_changes ??= []).Add(new StateChange(name, value));
    }

    public void Publish(string topic, Payload data)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentNullException.ThrowIfNull(data);
        lock (this)
        {
            (_messages ??= []).Add(new Message
            {
                Topic = topic,
                Payload = data,
                Sender = stepId,
                RunId = run.RunId,
                CorrelationId = IdempotencyKey,
                Timestamp = run.Time.GetUtcNow(),
            });
        }
    }

    public void Report(string name, Payload? data = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        run.Events.Add(new CustomRunEvent(run.RunId, run.Time.GetUtcNow(), key, name, data));
    }
}
