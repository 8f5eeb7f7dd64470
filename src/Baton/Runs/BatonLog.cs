using Microsoft.Extensions.Logging;

namespace Baton;

/// <summary>Log messages of the runtime, source-generated so disabled levels cost nothing.</summary>
internal static partial class BatonLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Run {RunId}: the store failed")]
    public static partial void LogStoreFailure(this ILogger logger, string runId, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Run {RunId} of {Workflow} ended {Status}")]
    public static partial void LogRunEnded(this ILogger logger, string runId, string workflow, RunStatus status);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Event {MessageId} on {Topic} went to the dead-letter queue of {Subscriber} after {Attempts} attempts: {Error}")]
    public static partial void LogDeadLetter(this ILogger logger, string messageId, string? topic, string subscriber, int attempts, string error);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "Event {MessageId}: an observer of dead letters failed on the dead letter of {Subscriber}; it is kept in this bus's dead-letter queue")]
    public static partial void LogDeadLetterObserverFailed(this ILogger logger, string messageId, string subscriber, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Run {RunId} was taken by another owner (its lease was lost): stopping it here")]
    public static partial void LogLeaseLost(this ILogger logger, string runId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Run {RunId} was not resumed: {Reason}")]
    public static partial void LogResumeSkipped(this ILogger logger, string runId, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Run {RunId} did not stop within the shutdown timeout of {Timeout} (an agent ignoring its cancellation): abandoned; its lease expires and it can be resumed")]
    public static partial void LogRunAbandoned(this ILogger logger, string runId, TimeSpan timeout);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Run {RunId}: step {StepKey} did not stop within {Grace} of its cancellation (an agent ignoring its cancellation token): abandoned; the run goes on without it")]
    public static partial void LogStepAbandoned(this ILogger logger, string runId, string stepKey, TimeSpan grace);

    /// <summary>A step's commit, with its input and output as the host's content redactor leaves them (<c>[redacted]</c> by default).</summary>
    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Run {RunId}: step {StepKey} completed on attempt {Attempt}; input {Input}; output {Output}")]
    public static partial void LogStepCompleted(this ILogger logger, string runId, string stepKey, int attempt, [Compliance.Content] string input, [Compliance.Content] string output);
}
