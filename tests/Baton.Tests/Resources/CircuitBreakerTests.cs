using Polly.CircuitBreaker;

namespace Baton.Tests.Resources;

public sealed class CircuitBreakerTests
{
    private static readonly CircuitBreakerOptions ThreeStrikes = new() { FailureThreshold = 3, BreakDuration = TimeSpan.FromSeconds(30) };

    private sealed class Service
    {
        public int Calls { get; private set; }

        public bool Down { get; set; } = true;

        public ValueTask<string> CallAsync(ResourceLease lease, CancellationToken cancellationToken)
        {
            Calls++;
            if (Down) throw new HttpRequestException("503 service unavailable", null, System.Net.HttpStatusCode.ServiceUnavailable);
            return ValueTask.FromResult("ok");
        }
    }

    [Fact]
    public async Task After_three_failures_the_circuit_fails_fast_for_the_cool_down_then_a_successful_trial_closes_it()
    {
        var time = new FakeTime();
        using var openai = new Resource("openai", new ResourceOptions { CircuitBreaker = ThreeStrikes }, time);
        var service = new Service();

        for (var i = 0; i < 3; i++) await Assert.ThrowsAsync<HttpRequestException>(() => openai.ExecuteAsync(service.CallAsync).AsTask());
        Assert.Equal(CircuitState.Open, openai.Circuit);

        // Open: refused at once, and no call reaches the service.
        var refused = await Assert.ThrowsAsync<ResourceUnavailableException>(() => openai.ExecuteAsync(service.CallAsync).AsTask());
        Assert.Equal(3, service.Calls);
        Assert.Equal((ResourceUnavailableException.CircuitOpen, ErrorKind.Transient, "openai"), (refused.Code, refused.Kind, refused.Resource));
        Assert.Equal(TimeSpan.FromSeconds(30), refused.RetryAfter);
        Assert.Contains("resource 'openai' is failing fast", refused.Message, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromSeconds(10));
        refused = await Assert.ThrowsAsync<ResourceUnavailableException>(() => openai.ExecuteAsync(service.CallAsync).AsTask());
        Assert.Equal(TimeSpan.FromSeconds(20), refused.RetryAfter);
        Assert.Equal(3, service.Calls);

        // Cool-down over and the service back: the trial call goes through and closes the circuit.
        time.Advance(TimeSpan.FromSeconds(20));
        service.Down = false;
        Assert.Equal("ok", await openai.ExecuteAsync(service.CallAsync));
        Assert.Equal(CircuitState.Closed, openai.Circuit);
        Assert.Equal("ok", await openai.ExecuteAsync(service.CallAsync));
        Assert.Equal(5, service.Calls);
    }

    [Fact]
    public async Task A_failed_trial_opens_the_circuit_for_another_cool_down()
    {
        var time = new FakeTime();
        using var openai = new Resource("openai", new ResourceOptions { CircuitBreaker = ThreeStrikes }, time);
        var service = new Service();
        for (var i = 0; i < 3; i++) await Assert.ThrowsAsync<HttpRequestException>(() => openai.ExecuteAsync(service.CallAsync).AsTask());

        time.Advance(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<HttpRequestException>(() => openai.ExecuteAsync(service.CallAsync).AsTask());

        Assert.Equal(4, service.Calls);
        Assert.Equal(CircuitState.Open, openai.Circuit);
        var refused = await Assert.ThrowsAsync<ResourceUnavailableException>(() => openai.ExecuteAsync(service.CallAsync).AsTask());
        Assert.Equal(TimeSpan.FromSeconds(30), refused.RetryAfter);
        Assert.Equal(4, service.Calls);
    }

    [Fact]
    public async Task While_the_trial_is_in_flight_other_calls_fail_fast()
    {
        var time = new FakeTime();
        using var openai = new Resource("openai", new ResourceOptions { CircuitBreaker = ThreeStrikes }, time);
        var service = new Service();
        for (var i = 0; i < 3; i++) await Assert.ThrowsAsync<HttpRequestException>(() => openai.ExecuteAsync(service.CallAsync).AsTask());
        time.Advance(TimeSpan.FromSeconds(30));

        var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var trial = openai.ExecuteAsync((_, ct) => new ValueTask<string>(answer.Task.WaitAsync(ct))).AsTask();
        Assert.Equal(CircuitState.HalfOpen, openai.Circuit);
        var refused = await Assert.ThrowsAsync<ResourceUnavailableException>(() => openai.ExecuteAsync(service.CallAsync).AsTask());
        Assert.Equal(ResourceUnavailableException.CircuitOpen, refused.Code);
        Assert.Equal(3, service.Calls);

        answer.SetResult("ok");
        Assert.Equal("ok", await trial.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(CircuitState.Closed, openai.Circuit);
    }

    [Fact]
    public async Task Only_the_configured_kinds_count_and_a_failure_returned_as_a_value_counts_when_reported()
    {
        var time = new FakeTime();
        using var openai = new Resource("openai", new ResourceOptions { CircuitBreaker = ThreeStrikes }, time);

        // Fatal errors (a bad request) say nothing about the service's health by default.
        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<AgentException>(() => openai.ExecuteAsync<int>((_, _) => throw new AgentException(ErrorKind.Fatal, "400 bad request")).AsTask());
        }

        Assert.Equal(CircuitState.Closed, openai.Circuit);

        // A failed AgentResult is a value, not an exception: reported, it counts. (On a resource of
        // its own: with the default ratio of 1 the circuit opens on failures with no success among
        // them, and the fatal calls above count as answers.)
        using var other = new Resource("other", new ResourceOptions { CircuitBreaker = ThreeStrikes }, time);
        for (var i = 0; i < 3; i++)
        {
            var result = await other.ExecuteAsync((lease, _) =>
            {
                lease.ReportFailure(ErrorKind.Transient);
                return ValueTask.FromResult(AgentResult.Failure(ErrorKind.Transient, "503"));
            });
            Assert.False(result.IsSuccess);
        }

        Assert.Equal(CircuitState.Open, other.Circuit);
    }

    [Fact]
    public async Task A_caller_that_cancels_does_not_count_as_a_failure()
    {
        using var openai = new Resource("openai", new ResourceOptions { CircuitBreaker = ThreeStrikes }, new FakeTime());
        for (var i = 0; i < 5; i++)
        {
            using var cancel = new CancellationTokenSource();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => openai.ExecuteAsync<int>(async (_, ct) =>
            {
                await cancel.CancelAsync();
                ct.ThrowIfCancellationRequested();
                return 0;
            }, cancellationToken: cancel.Token).AsTask());
        }

        Assert.Equal(CircuitState.Closed, openai.Circuit);
    }

    [Fact]
    public async Task A_refused_call_gives_its_quota_back()
    {
        var time = new FakeTime();
        using var openai = new Resource("openai", new ResourceOptions { RequestsPerMinute = 10, CircuitBreaker = ThreeStrikes }, time);
        var service = new Service();
        for (var i = 0; i < 3; i++) await Assert.ThrowsAsync<HttpRequestException>(() => openai.ExecuteAsync(service.CallAsync).AsTask());

        for (var i = 0; i < 20; i++) await Assert.ThrowsAsync<ResourceUnavailableException>(() => openai.ExecuteAsync(service.CallAsync).AsTask());

        // The three real calls hold three of the ten permits; the twenty refused ones hold none.
        Assert.Equal(3, openai.GetStatistics().RequestsInWindow);
    }

    [Fact]
    public void Options_are_checked_with_the_resource_named()
    {
        var tooFew = Assert.Throws<ArgumentOutOfRangeException>(() => new Resource("openai", new ResourceOptions { CircuitBreaker = new() { FailureThreshold = 1 } }));
        Assert.Contains("resource 'openai'", tooFew.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Resource("openai", new ResourceOptions { RequestsPerMinute = 0 }));
        Assert.Throws<ArgumentException>(() => new Resource("openai", new ResourceOptions { CircuitBreaker = new() { FailureKinds = [] } }));
    }
}
