using System.Net;

namespace Baton;

/// <summary>Turns exceptions thrown by agents into <see cref="StepError"/> values: the default rules.</summary>
public static class ErrorClassifier
{
    /// <summary>The default rules as an <see cref="IErrorClassifier"/> (see <see cref="Classify"/>).</summary>
    public static IErrorClassifier Default { get; } = new DefaultRules();

    /// <summary>
    /// Classifies an exception: <see cref="AgentException"/> keeps its kind; timeouts, I/O and
    /// HTTP failures (429 and 5xx) are transient; other HTTP 4xx are fatal; anything else is
    /// recoverable (not retried, but routed to the step's error edge).
    /// </summary>
    public static StepError Classify(Exception exception, string? stepId = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var kind = exception switch
        {
            AgentException a => a.Kind,
            TimeoutException or IOException or OperationCanceledException => ErrorKind.Transient,
            HttpRequestException { StatusCode: { } status } => IsTransient(status) ? ErrorKind.Transient : ErrorKind.Fatal,
            HttpRequestException => ErrorKind.Transient,
            _ => ErrorKind.Recoverable,
        };
        return new StepError(kind, OneLine(exception.Message), stepId, (exception as AgentException)?.Partial)
        {
            RetryAfter = (exception as AgentException)?.RetryAfter,
            Code = (exception as AgentException)?.Code,
            ExceptionType = exception.GetType().FullName,
            Exception = exception,
        };
    }

    private static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;

    /// <summary>An error classifier from a function; return null from it to fall back to the default rules.</summary>
    public static IErrorClassifier From(Func<Exception, string?, StepError?> classify)
    {
        ArgumentNullException.ThrowIfNull(classify);
        return new FunctionRules(classify);
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    private sealed class DefaultRules : IErrorClassifier
    {
        public StepError Classify(Exception exception, string? stepId = null) => ErrorClassifier.Classify(exception, stepId);
    }

    private sealed class FunctionRules(Func<Exception, string?, StepError?> classify) : IErrorClassifier
    {
        public StepError Classify(Exception exception, string? stepId = null)
        {
            ArgumentNullException.ThrowIfNull(exception);
            var error = classify(exception, stepId) ?? ErrorClassifier.Classify(exception, stepId);
            return error.StepId is null && stepId is not null ? error with { StepId = stepId } : error;
        }
    }
}
