using System.Net;
using System.Net.Sockets;
using Baton.AI;

namespace Baton.AI.Tests.Providers;

/// <summary>
/// A model provider that accepts the connection and never answers (a real socket on 127.0.0.1): the step's timeout
/// ends the call, and the run goes on along the step's error route. The timeout is on fake time, moved only once the
/// request has reached the server.
/// </summary>
public sealed class HangingProviderTests : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _accepted = [];
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _accepting;

    public HangingProviderTests()
    {
        _listener.Start();
        _accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    // Read nothing, answer nothing: the request stays in flight until the client gives up.
                    var client = await _listener.AcceptTcpClientAsync();
                    lock (_accepted) _accepted.Add(client);
                    _connected.TrySetResult();
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        });
    }

    private Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1");

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _accepting;
        lock (_accepted) foreach (var client in _accepted) client.Dispose();
    }

    [Fact]
    public async Task A_provider_that_never_answers_times_the_step_out_and_the_run_takes_its_error_route()
    {
        // The client's own timeout is far away: the step's timeout is what ends the call.
        var silent = OpenAiCompatibleChatClient.Create(new OpenAiCompatibleOptions { Model = "silent", Endpoint = Endpoint, ApiKey = "local", Timeout = TimeSpan.FromMinutes(10) });
        // The step's timeout runs on fake time: it fires only once the request is in flight, however slow the machine.
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time, Limits = RunLimits.Default with { Timeout = null } });
        var workflow = new WorkflowBuilder("hanging-provider")
            .AddStep(new ModelAgent("writer", silent), "write", retry: RetryPolicy.None, timeout: TimeSpan.FromMilliseconds(300))
            .AddStep(Agent.Create("fallback", (input, _) => AgentResult.Success(Payload.FromText($"fallback after: {input.AsText()}"))), "fallback")
            .OnError("write", "fallback")
            .Build();

        var run = runtime.Start(workflow, "hello");
        await _connected.Task.WaitAsync(TimeSpan.FromSeconds(60));
        time.Advance(TimeSpan.FromMilliseconds(300));
        var result = await run.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Contains("step 'write' timed out after 00:00:00.3000000", result.Output!.AsText());
        var journal = await runtime.Store.ReadJournalAsync(result.RunId);
        Assert.Contains(journal, e => e.StepId == "write" && e.Error?.Code == "timeout");
    }
}
