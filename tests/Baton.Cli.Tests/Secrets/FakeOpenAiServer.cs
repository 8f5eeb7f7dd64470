using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Baton.Cli.Tests.Secrets;

/// <summary>
/// An OpenAI-compatible chat completions endpoint on 127.0.0.1 for tests. It records the credentials each request
/// carried (so a test can prove a secret was sent), answers model <c>hostile</c> with a 401 whose error message echoes
/// the caller's key and header (as a careless proxy would), model <c>silent</c> never, and every other model with
/// <see cref="Reply"/>.
/// </summary>
internal sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeOpenAiServer(string reply = "A summary of the findings.")
    {
        Reply = reply;
        // A free port, then an HttpListener on it; a port taken in between makes Start throw, and the next try wins.
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}/v1";

    public string Reply { get; }

    /// <summary>Each request's Authorization header and every header starting <c>X-</c>, as received.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> Requests { get; } = new();

    /// <summary>Completed when the first request for model <c>silent</c> arrives (which is never answered).</summary>
    public TaskCompletionSource SilentCalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = JsonNode.Parse(await reader.ReadToEndAsync())!;
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null && (k.StartsWith("X-", StringComparison.OrdinalIgnoreCase) || k == "Authorization"))
                .ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            Requests.Enqueue(headers);
            var model = body["model"]?.GetValue<string>() ?? "";
            if (model == "silent")
            {
                // A provider that hangs: the request is read and never answered, until the server stops.
                SilentCalled.TrySetResult();
                await Task.Delay(Timeout.Infinite, _stop.Token);
                return;
            }

            var (status, json) = model == "hostile"
                ? (401, new JsonObject { ["error"] = new JsonObject { ["message"] = $"Incorrect API key provided: {headers.GetValueOrDefault("Authorization")}; header X-Marker: {headers.GetValueOrDefault("X-Marker")}", ["type"] = "invalid_request_error" } })
                : (200, Completion(model, Reply));
            var bytes = Encoding.UTF8.GetBytes(json.ToJsonString());
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (HttpListenerException)
        {
            // The client went away (its timeout): nothing to answer.
        }
    }

    private static JsonObject Completion(string model, string text) => new()
    {
        ["id"] = "chatcmpl-test",
        ["object"] = "chat.completion",
        ["created"] = 1_767_225_600,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
            ["finish_reason"] = "stop",
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 12, ["completion_tokens"] = 7, ["total_tokens"] = 19 },
    };

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _loop; } catch (Exception) { }
        _listener.Close();
        _stop.Dispose();
    }
}
