using System.Net;

namespace Baton;

/// <summary>Turns exceptions thrown by agents into <see cref="StepError"/> values.</summary>
public static class ErrorClassifier
{
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

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
