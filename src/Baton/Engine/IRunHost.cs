using Baton.Storage;
using Microsoft.Extensions.Logging;

namespace Baton;

/// <summary>
/// Everything the run kernel needs from whatever hosts it: the store, the clock, publishing, people, resources,
/// error classification and logging. The in-process runtime is one host; a cluster's run grain or a
/// test host is another. The kernel names no host type: it reaches its host only through this contract.
/// </summary>
public interface IRunHost
{
    /// <summary>Where the run's journal lives; every write carries the run's lease.</summary>
    IRunStore Store { get; }

    /// <summary>The clock of the run: step times, timeouts, retries, deadlines and durable timers.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>Where the kernel logs what it cannot report in the run's result (store failures, abandoned work).</summary>
    ILogger Logger { get; }

    /// <summary>
    /// Redacts content (step inputs and outputs: <see cref="Compliance.BatonDataClassifications.Content"/>) before the
    /// kernel logs it; by default every value becomes <c>[redacted]</c>.
    /// </summary>
    Microsoft.Extensions.Compliance.Redaction.Redactor ContentRedactor => Compliance.PlaceholderRedactor.Instance;

    /// <summary>
    /// How long, in real time, a step's agent may go on after its cancellation (the step's timeout, the run's
    /// cancellation or deadline) before it is abandoned and the run goes on without it. Default 5 seconds.
    /// </summary>
    TimeSpan CancellationGrace => TimeSpan.FromSeconds(5);

    /// <summary>Host services agents may use, when the host has them.</summary>
    IServiceProvider? Services { get; }

    /// <summary>Named resources (quotas and circuit breakers) that steps draw on.</summary>
    ResourceRegistry Resources { get; }

    /// <summary>Turns exceptions thrown by agents into errors (which decides what is retried).</summary>
    IErrorClassifier ErrorClassifier { get; }

    /// <summary>State-changing steps between two state snapshots in a run's journal (0: never).</summary>
    int SnapshotEvery { get; }

    /// <summary>How many of a run's latest events are kept for watchers that attach late (see <c>BatonOptions.EventWindow</c>).</summary>
    int EventWindow { get; }

    /// <summary>Questions to people: asking steps save their requests here and wait for, or suspend on, the answer.</summary>
    HumanRequests Humans { get; }

    /// <summary>Publishes an event a step committed (its outbox), to the host's event bus.</summary>
    ValueTask PublishAsync(Message message, CancellationToken cancellationToken);
}
