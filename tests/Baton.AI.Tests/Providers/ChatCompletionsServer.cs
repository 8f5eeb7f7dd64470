using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Baton.AI.Tests.Providers;

/// <summary>
/// A small HTTP/1.1 server on 127.0.0.1 speaking OpenAI's chat completions protocol, scripted per request: JSON replies,
/// server-sent event streams, error statuses with headers, malformed bodies, and connections dropped mid-stream.
/// Raw sockets, so a test can cut a connection exactly where a real network would.
/// </summary>
internal sealed class ChatCompletionsServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<Func<RecordedRequest, Reply>> _script = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ChatCompletionsServer()
    {
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1");

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Queues the reply to the next request.</summary>
    public ChatCompletionsServer Then(Reply reply) => Then(_ => reply);

    public ChatCompletionsServer Then(Func<RecordedRequest, Reply> reply)
    {
        _script.Enqueue(reply);
        return this;
    }

    public static Reply Completion(string text, int promptTokens = 12, int completionTokens = 5) => Reply.Json(200, new JsonObject
    {
        ["id"] = "chatcmpl-1",
        ["object"] = "chat.completion",
        ["created"] = 1_700_000_000,
        ["model"] = "test-model",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
            ["finish_reason"] = "stop",
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["completion_tokens"] = completionTokens, ["total_tokens"] = promptTokens + completionTokens },
    }.ToJsonString());

    public static Reply ToolCall(string name, string arguments) => Reply.Json(200, new JsonObject
    {
        ["id"] = "chatcmpl-2",
        ["object"] = "chat.completion",
        ["created"] = 1_700_000_000,
        ["model"] = "test-model",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["id"] = "call_1",
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments },
                }),
            },
            ["finish_reason"] = "tool_calls",
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 20, ["completion_tokens"] = 7, ["total_tokens"] = 27 },
    }.ToJsonString());

    /// <summary>A streamed completion: one event per delta, a usage event, then [DONE] (unless the connection drops first).</summary>
    public static Reply Stream(IReadOnlyList<string> deltas, int? dropAfter = null)
    {
        var events = new List<string>();
        foreach (var delta in deltas)
        {
            events.Add(new JsonObject
            {
                ["id"] = "chatcmpl-3", ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000, ["model"] = "test-model",
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["content"] = delta }, ["finish_reason"] = null }),
            }.ToJsonString());
        }

        events.Add(new JsonObject
        {
            ["id"] = "chatcmpl-3", ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000, ["model"] = "test-model",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject(), ["finish_reason"] = "stop" }),
        }.ToJsonString());
        events.Add(new JsonObject
        {
            ["id"] = "chatcmpl-3", ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000, ["model"] = "test-model",
            ["choices"] = new JsonArray(),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 9, ["completion_tokens"] = deltas.Count, ["total_tokens"] = 9 + deltas.Count },
        }.ToJsonString());
        events.Add("[DONE]");
        return new Reply(200, null, events, dropAfter, new Dictionary<string, string>());
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var request = await ReadRequestAsync(stream);
            if (request is null) return;
            Requests.Enqueue(request);
            var reply = _script.TryDequeue(out var next) ? next(request) : Reply.Json(500, """{"error":{"message":"the test server has no reply scripted"}}""");
            await WriteAsync(client, stream, reply);
        }
    }

    private static async Task<RecordedRequest?> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        // Headers end at the first blank line.
        while (buffer.Count < 4 || !(buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0) return null;
            buffer.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. buffer]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        byte[] body;
        if (headers.TryGetValue("Content-Length", out var length))
        {
            body = new byte[int.Parse(length)];
            await stream.ReadExactlyAsync(body);
        }
        else if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var all = new List<byte>();
            while (true)
            {
                var size = Convert.ToInt32(await ReadLineAsync(stream), 16);
                var chunk = new byte[size + 2];
                await stream.ReadExactlyAsync(chunk);
                if (size == 0) break;
                all.AddRange(chunk.AsSpan(0, size).ToArray());
            }

            body = [.. all];
        }
        else
        {
            body = [];
        }

        return new RecordedRequest(lines[0], headers, Encoding.UTF8.GetString(body));
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (await stream.ReadAsync(one) > 0)
        {
            if (one[0] == '\n') break;
            if (one[0] != '\r') line.Append((char)one[0]);
        }

        return line.ToString();
    }

    private static async Task WriteAsync(TcpClient client, NetworkStream stream, Reply reply)
    {
        var head = new StringBuilder($"HTTP/1.1 {reply.Status} {(reply.Status == 200 ? "OK" : "Error")}\r\nConnection: close\r\n");
        foreach (var (name, value) in reply.Headers) head.Append($"{name}: {value}\r\n");
        if (reply.Events is null)
        {
            var body = Encoding.UTF8.GetBytes(reply.Body ?? "");
            head.Append($"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
            await stream.WriteAsync(body);
            return;
        }

        head.Append("Content-Type: text/event-stream\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        for (var i = 0; i < reply.Events.Count; i++)
        {
            if (reply.DropAfter == i)
            {
                // Reset the connection mid-stream, as a crashed proxy or a network cut does.
                client.Client.LingerState = new LingerOption(true, 0);
                client.Client.Close();
                return;
            }

            await stream.WriteAsync(Encoding.UTF8.GetBytes($"data: {reply.Events[i]}\n\n"));
            await stream.FlushAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }

        _stop.Dispose();
    }
}

internal sealed record RecordedRequest(string RequestLine, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body)!;
}

internal sealed record Reply(int Status, string? Body, IReadOnlyList<string>? Events, int? DropAfter, IReadOnlyDictionary<string, string> Headers)
{
    public static Reply Json(int status, string body, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, body, null, null, headers ?? new Dictionary<string, string>());
}
