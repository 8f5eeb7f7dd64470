using Baton.Storage;
using Microsoft.Extensions.Logging;

namespace Baton;

/// <summary>
/// How a <see cref="BatonRuntime"/> is set up. Settable, so the options pattern can configure it
/// (<c>services.Configure&lt;BatonOptions&gt;(...)</c>, or a configuration section with <c>AddBaton(configuration)</c>);
/// the runtime copies what it needs when it is created, so changing an instance later changes no runtime.
/// </summary>
public sealed record BatonOptions
{
    /// <summary>Where journals live; in memory when null.</summary>
    public IRunStore? Store { get; set; }

    /// <summary>The clock for delays, timeouts and deadlines; the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Limits for runs whose workflow and options give none.</summary>
    public RunLimits Limits { get; set; } = RunLimits.Default;

    /// <summary>Logging; none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Redacts what agents read and write (<see cref="Compliance.BatonDataClassifications.Content"/>: step inputs and
    /// outputs, which may hold personal data) before it is logged. Null, the default, logs <c>[redacted]</c> in its
    /// place; <see cref="Microsoft.Extensions.Compliance.Redaction.NullRedactor.Instance"/> opts in to logging content
    /// as it is; any other redactor (a hash, a mask) is used as given.
    /// </summary>
    public Microsoft.Extensions.Compliance.Redaction.Redactor? ContentRedactor { get; set; }

    /// <summary>Services agents may use through <see cref="IStepContext.Services"/>.</summary>
    public IServiceProvider? Services { get; set; }

    /// <summary>Named resources (APIs with quotas and a circuit breaker) steps may draw on; more can be added through <see cref="BatonRuntime.Resources"/>.</summary>
    public IReadOnlyDictionary<string, ResourceOptions>? Resources { get; set; }

    /// <summary>
    /// Who this runtime is when it holds runs' leases (a process and host); unique per runtime by default.
    /// Two runtimes sharing a store never advance one run at once: a run is held by one owner at a time.
    /// </summary>
    public string? Owner { get; set; }

    /// <summary>
    /// How long a run's lease lasts without renewal: when a process dies, another may take its runs
    /// this long after the last renewal. Leases are renewed every third of it.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an asking step waits in memory for an answer before its run suspends (status
    /// <see cref="RunStatus.Waiting"/>, holding no thread, memory or lease) until an answer resumes it;
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits in memory for as long as it takes. Null (the default) decides
    /// by the store: suspend at once on a durable store; wait in memory on one that is not durable, where nothing
    /// could resume the run after the process ends anyway.
    /// </summary>
    public TimeSpan? HumanWaitInMemory { get; set; }

    /// <summary>Rebuilds the workflow of a stored run this runtime has no registered workflow for (e.g. from <see cref="Baton.Storage.RunRecord.Source"/>), to resume it; null when it cannot.</summary>
    public Func<Baton.Storage.RunRecord, Workflow?>? WorkflowResolver { get; set; }

    /// <summary>
    /// Checks an answer against its request's <see cref="HumanRequest.AnswerSchema"/>: returns why it is invalid, or
    /// null when it is valid (Baton.AI's <c>JsonSchemaAnswerValidator</c> is one). Without it, such an answer need only be JSON.
    /// </summary>
    public Func<HumanRequest, string, string?>? AnswerValidator { get; set; }

    /// <summary>
    /// How many state-changing steps pass between two snapshots of the run state in the journal (0: never). Resume
    /// restores the latest snapshot and re-applies only the writes after it.
    /// </summary>
    public int SnapshotEvery { get; set; } = 1000;

    /// <summary>The event bus's settings.</summary>
    public EventBusOptions EventBus { get; set; } = new();

    /// <summary>
    /// How many of a run's latest events are kept in memory for watchers that attach late, and how many unread
    /// events one watcher may fall behind before it loses the oldest of them (it is then told how many, with a
    /// <see cref="RunEventsSkippedEvent"/>). At least 1; memory for a run's events stays flat however long it runs.
    /// </summary>
    public int EventWindow { get; set; } = 1000;

    /// <summary>
    /// Decides what an exception thrown by an agent means (which errors are retried); null for
    /// <see cref="ErrorClassifier.Default"/>. Teach it another library's exceptions with
    /// <see cref="ErrorClassifier.From"/>.
    /// </summary>
    public IErrorClassifier? ErrorClassifier { get; set; }

    /// <summary>
    /// How long disposing the runtime waits for its cancelled runs to end. A run whose agent ignores its cancellation
    /// is abandoned after this (logged; its lease expires, so it can be resumed elsewhere). 30 seconds by default.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long, in real time, a step's agent may go on after its cancellation (its timeout, the run's cancellation or
    /// deadline) before the step is abandoned — logged, and ended as timed out or cancelled — so the run goes on
    /// without an agent that ignores its cancellation token. Default 5 seconds.
    /// </summary>
    public TimeSpan CancellationGrace { get; set; } = TimeSpan.FromSeconds(5);
}
