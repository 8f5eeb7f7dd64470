using Baton.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Baton.Tests.DependencyInjection;

public sealed class AddBatonTests
{
    [Fact]
    public async Task The_runtime_uses_the_containers_clock_and_store_and_knows_the_registered_workflows()
    {
        var time = new FakeTime();
        var store = new InMemoryRunStore();
        var workflow = SequentialBuilder.Create("registered", Agent.Identity("a"));
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<IRunStore>(store)
            .AddBaton(o =>
            {
                o.Limits = new RunLimits { MaxSteps = 7 };
                o.Workflows.Add(workflow);
            });
        await using var provider = services.BuildServiceProvider();

        var runtime = provider.GetRequiredService<BatonRuntime>();
        var result = await runtime.RunAsync(workflow, "x");

        Assert.Same(store, runtime.Store);
        Assert.Same(time, runtime.TimeProvider);
        Assert.Equal(7, runtime.Limits.MaxSteps);
        Assert.Same(runtime.Events, provider.GetRequiredService<EventBus>());
        Assert.NotNull(await store.GetRunAsync(result.RunId));
        Assert.Equal(time.GetUtcNow(), (await store.GetRunAsync(result.RunId))!.StartedAt);
    }

    [Fact]
    public async Task Agents_reach_host_services_through_the_step_context()
    {
        var services = new ServiceCollection().AddSingleton("a greeting from the host").AddBaton();
        await using var provider = services.BuildServiceProvider();
        var greet = Agent.Create("greet", (_, context) => AgentResult.Success(context.Services!.GetRequiredService<string>()));

        var result = await provider.GetRequiredService<BatonRuntime>().RunAsync(SequentialBuilder.Create("g", greet), "x");

        Assert.Equal("a greeting from the host", result.Output!.AsText());
    }

    [Fact]
    public void A_synchronously_disposed_container_disposes_the_runtime()
    {
        var provider = new ServiceCollection().AddBaton().BuildServiceProvider();
        var runtime = provider.GetRequiredService<BatonRuntime>();
        _ = provider.GetRequiredService<EventBus>();

        provider.Dispose();

        Assert.Throws<ObjectDisposedException>(() => runtime.Start(SequentialBuilder.Create("late", Agent.Identity("a"))));
    }
}
