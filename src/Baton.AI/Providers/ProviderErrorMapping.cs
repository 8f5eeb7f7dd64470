using System.ClientModel;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Baton.AI;

/// <summary>
/// Turns a provider's failures into Baton's error kinds, so the engine retries what is worth retrying: 429 and 5xx
/// are transient with the provider's Retry-After; 400, 401, 403, 404 and other client errors are fatal; a dropped
/// connection, a timeout or a malformed body are transient. Messages name the model and status, never the API key.
/// </summary>
public sealed class ProviderErrorMapping : DelegatingChatClient
{
    private readonly string _model;
    private readonly string? _endpoint;

    /// <summary>Wraps a client.</summary>
    /// <param name="inner">The provider's client.</param>
    /// <param name="model">The model's name, for messages.</param>
    public ProviderErrorMapping(IChatClient inner, string model) : this(inner, model, null)
    {
    }

    /// <summary>Wraps a client whose endpoint messages may name (a failed connection says where it tried).</summary>
    /// <param name="inner">The provider's client.</param>
    /// <param name="model">The model's name, for messages.</param>
    /// <param name="endpoint">The endpoint's address without credentials, e.g. <c>http://localhost:11434/v1</c>; null when unknown.</param>
    public ProviderErrorMapping(IChatClient inner, string model, string? endpoint) : this(inner, model, endpoint, null)
    {
    }

    /// <summary>
    /// Wraps a client whose requests carry <paramref name="secrets"/> (the API key, header values): a provider or proxy
    /// that echoes one in its error is quoted with the secret replaced by <c>[redacted]</c>, so it never reaches a
    /// message, the journal or a log.
    /// </summary>
    /// <param name="inner">The provider's client.</param>
    /// <param name="model">The model's name, for messages.</param>
    /// <param name="endpoint">The endpoint's address without credentials; null when unknown.</param>
    /// <param name="secrets">Values never to repeat; null or empty for none.</param>
    public ProviderErrorMapping(IChatClient inner, string model, string? endpoint, IEnumerable<string>? secrets) : base(inner)
    {
        _model = model ?? "model";
        _endpoint = endpoint;
        // Short values would redact ordinary words; a real key or token is longer.
        _secrets = [.. (secrets ?? []).Where(s => s is { Length: >= MinSecretLength }).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];
    }

    /// <summary>Secrets shorter than this are not looked for in messages (they would match ordinary text).</summary>
    internal const int MinSecretLength = 6;

    private readonly string[] _secrets;

    /// <summary><paramref name="text"/> with every secret this client sends replaced by <c>[redacted]</c>.</summary>
    private string Scrub(string text)
    {
        foreach (var secret in _secrets) text = text.Replace(secret, "[redacted]", StringComparison.Ordinal);
        return text;
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Map(ex, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Failures can come when the stream opens or halfway through it: both are mapped.
        IAsyncEnumerator<ChatResponseUpdate> updates;
        try
        {
            updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex) when (Map(ex, cancellationToken) is { } mapped)
        {
            throw mapped;
        }

        await using (updates.ConfigureAwait(false))
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false)) yield break;
                    update = updates.Current;
                }
                catch (Exception ex) when (Map(ex, cancellationToken) is { } mapped)
                {
                    throw mapped;
                }

                yield return update;
            }
        }
    }

    /// <summary>The Baton error for a provider failure, or null to let the exception through (cancellation, already mapped).</summary>
    internal AgentException? Map(Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case AgentException:
                return null;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return null;
            case OperationCanceledException or TimeoutException:
                return new AgentException(ErrorKind.Transient, $"the model '{_model}' did not answer in time", exception) { Code = "timeout" };
            case ClientResultException { Status: > 0 } result:
                return FromStatus(result);
            case ClientResultException result when result.InnerException is { } inner:
                return Map(inner, cancellationToken) ?? Lost(exception);
            case HttpRequestException or IOException:
                return Lost(exception);
            case JsonException or FormatException:
                // A proxy or a server under strain can send garbage once; a retry is cheap and bounded by the retry policy.
                return new AgentException(ErrorKind.Transient, $"the model '{_model}' sent a reply that is not valid chat completions JSON: {Scrub(exception.Message)}", exception) { Code = "malformed_response" };
            default:
                return null;
        }
    }

    private AgentException Lost(Exception exception)
    {
        // A connection never made names where it tried (never the key): the usual first-hour mistake is a server not started.
        if (_endpoint is not null && NotConnected(exception) is { } why)
        {
            return new AgentException(ErrorKind.Transient, $"could not connect to {_endpoint} ({why}) for the model '{_model}'", exception) { Code = "connection_failed" };
        }

        return new AgentException(ErrorKind.Transient, $"the connection to the model '{_model}'{(_endpoint is null ? "" : $" at {_endpoint}")} was lost: {Scrub(Innermost(exception).Message)}", exception) { Code = "connection_lost" };
    }

    /// <summary>Why no connection was made (refused, unknown host, unreachable), or null when one was made and then lost.</summary>
    private static string? NotConnected(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is System.Net.Sockets.SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    System.Net.Sockets.SocketError.ConnectionRefused => "connection refused",
                    System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.NoData or System.Net.Sockets.SocketError.TryAgain => "host not found",
                    System.Net.Sockets.SocketError.HostUnreachable or System.Net.Sockets.SocketError.NetworkUnreachable => "unreachable",
                    System.Net.Sockets.SocketError.TimedOut => "timed out",
                    _ => null,
                };
            }

            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } http && http.InnerException is null)
            {
                return http.HttpRequestError == HttpRequestError.NameResolutionError ? "host not found" : "no connection";
            }
        }

        return null;
    }

    private AgentException FromStatus(ClientResultException result)
    {
        var status = result.Status;
        var response = result.GetRawResponse();
        var (kind, code) = status switch
        {
            429 => (ErrorKind.Transient, "rate_limited"),
            408 => (ErrorKind.Transient, "timeout"),
            >= 500 => (ErrorKind.Transient, "provider_error"),
            401 or 403 => (ErrorKind.Fatal, "unauthorized"),
            404 => (ErrorKind.Fatal, "not_found"),
            _ => (ErrorKind.Fatal, "bad_request"),
        };
        var detail = ProviderMessage(response?.Content?.ToString()) is { } said ? Scrub(said) : null;
        var message = $"the model '{_model}' answered HTTP {status.ToString(CultureInfo.InvariantCulture)}{(detail is null ? "" : ": " + detail)}";
        return new AgentException(kind, message, result) { Code = code, RetryAfter = RetryAfter(response) };
    }

    /// <summary>The provider's own error message (<c>{"error":{"message":...}}</c>), shortened; null when there is none.</summary>
    private static string? ProviderMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var text)
                && text.ValueKind == JsonValueKind.String)
            {
                var message = text.GetString()!;
                return message.Length <= 300 ? message : message[..300] + "…";
            }
        }
        catch (JsonException)
        {
            // Not JSON: say nothing rather than echo an arbitrary body.
        }

        return null;
    }

    /// <summary>Retry-After in seconds or as an HTTP date, or retry-after-ms.</summary>
    internal static TimeSpan? RetryAfter(System.ClientModel.Primitives.PipelineResponse? response)
    {
        if (response is null) return null;
        if (response.Headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
        {
            return TimeSpan.FromMilliseconds(millis);
        }

        if (!response.Headers.TryGetValue("Retry-After", out var value) || value is null) return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0) return TimeSpan.FromSeconds(seconds);
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? (date - DateTimeOffset.UtcNow) is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero
            : null;
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null) exception = exception.InnerException;
        return exception;
    }
}
