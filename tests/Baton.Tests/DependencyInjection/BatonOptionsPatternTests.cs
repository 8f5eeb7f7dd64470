using Baton.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Baton.Tests.DependencyInjection;

/// <summary>Every runtime setting reaches AddBaton's runtime through the options pattern and configuration.</summary>
public sealed class BatonOptionsPatternTests
{
    [Fact]
    public async Task Configure_sets_any_runtime_setting()
    {
        var store = new InMemoryRunStore(TimeProvider.System);
        await using var provider = new ServiceCollection()
            .AddBaton()
            .Configure<BatonOptions>(o =>
            {
                o.SnapshotEvery = 7;
                o.LeaseDuration = TimeSpan.FromSeconds(12);
                o.Owner = "worker-1";
                o.HumanWaitInMemory = TimeSpan.FromMinutes(3);
                o.EventWindow = 25;
                o.Store = store;
                o.Limits = RunLimits.Default with { MaxFanOut = 9 };
            })
            .BuildServiceProvider();

        var runtime = provider.GetRequiredService<BatonRuntime>();

        Assert.Equal(7, runtime.SnapshotEvery);
        Assert.Equal(TimeSpan.FromSeconds(12), runtime.LeaseDuration);
        Assert.Equal("worker-1", runtime.Owner);
        Assert.Equal(TimeSpan.FromMinutes(3), runtime.HumanWaitInMemory);
        Assert.Equal(25, runtime.EventWindow);
        Assert.Same(store, runtime.Store);
        Assert.Equal(9, runtime.Limits.MaxFanOut);
        Assert.NotNull(runtime.Services);
        Assert.Equal(7, provider.GetRequiredService<IOptions<BatonOptions>>().Value.SnapshotEvery);
    }

    [Fact]
    public async Task A_configuration_section_binds_the_simple_settings()
    {
        var configuration = Configuration(new()
        {
            ["Baton:Limits:MaxSteps"] = "42",
            ["Baton:Limits:Timeout"] = "none",
            ["Baton:Limits:MaxParallel"] = "4",
            ["Baton:Limits:MaxTokens"] = "100000",
            ["Baton:Limits:MaxCost"] = "1.25",
            ["Baton:LeaseDuration"] = "00:00:10",
            ["Baton:HumanWaitInMemory"] = "infinite",
            ["Baton:SnapshotEvery"] = "5",
            ["Baton:EventWindow"] = "50",
            ["Baton:Owner"] = "node-a",
            ["Baton:EventBus:QueueCapacity"] = "8",
            ["Baton:EventBus:DeadLetterCapacity"] = "3",
            ["Other:Setting"] = "not ours",
        });
        await using var provider = new ServiceCollection().AddBaton(configuration.GetSection("Baton")).BuildServiceProvider();

        var runtime = provider.GetRequiredService<BatonRuntime>();
        var options = provider.GetRequiredService<IOptions<BatonOptions>>().Value;

        Assert.Equal(RunLimits.Default with { MaxSteps = 42, Timeout = null, MaxParallel = 4, MaxTokens = 100_000, MaxCost = 1.25m }, runtime.Limits);
        Assert.Equal(TimeSpan.FromSeconds(10), runtime.LeaseDuration);
        Assert.Equal(Timeout.InfiniteTimeSpan, runtime.HumanWaitInMemory);
        Assert.Equal(5, runtime.SnapshotEvery);
        Assert.Equal(50, runtime.EventWindow);
        Assert.Equal("node-a", runtime.Owner);
        Assert.Equal(new EventBusOptions { QueueCapacity = 8, DeadLetterCapacity = 3 }, options.EventBus);

        // The shared defaults were copied, never written into.
        Assert.Equal(1000, RunLimits.Default.MaxSteps);
        Assert.Equal(TimeSpan.FromHours(1), RunLimits.Default.Timeout);
    }

    [Fact]
    public async Task Settings_configured_later_win_over_earlier_ones()
    {
        var configuration = Configuration(new() { ["Limits:MaxSteps"] = "42", ["SnapshotEvery"] = "5" });
        await using var provider = new ServiceCollection()
            .AddBaton(o => o.Limits = RunLimits.Default with { MaxSteps = 10 })
            .AddBaton(configuration)
            .Configure<BatonOptions>(o => o.SnapshotEvery = 6)
            .BuildServiceProvider();

        var runtime = provider.GetRequiredService<BatonRuntime>();

        Assert.Equal(42, runtime.Limits.MaxSteps);
        Assert.Equal(6, runtime.SnapshotEvery);
    }

    [Fact]
    public async Task The_settings_shorthand_is_an_option_that_a_later_Configure_overrides()
    {
        await using var provider = new ServiceCollection()
            .AddBaton(o => o.Limits = RunLimits.Default with { MaxSteps = 10 })
            .Configure<BatonOptions>(o => o.Limits = o.Limits with { MaxFanOut = 3 })
            .BuildServiceProvider();

        var runtime = provider.GetRequiredService<BatonRuntime>();

        Assert.Equal(10, runtime.Limits.MaxSteps);
        Assert.Equal(3, runtime.Limits.MaxFanOut);
    }

    [Fact]
    public async Task An_unknown_key_fails_loudly_with_a_suggestion()
    {
        var configuration = Configuration(new() { ["Baton:Limits:MaxStep"] = "42" });
        await using var provider = new ServiceCollection().AddBaton(configuration.GetSection("Baton")).BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<BatonRuntime>());

        Assert.Contains("'Baton:Limits:MaxStep' is not a Baton setting", error.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'Limits:MaxSteps'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Limits:MaxSteps", "many", "'Baton:Limits:MaxSteps': 'many' is not a whole number")]
    [InlineData("LeaseDuration", "soon", "'Baton:LeaseDuration': 'soon' is not a duration")]
    [InlineData("Limits:MaxCost", "cheap", "'Baton:Limits:MaxCost': 'cheap' is not a number")]
    public async Task A_value_that_does_not_parse_names_its_key(string key, string value, string expected)
    {
        var configuration = Configuration(new() { ["Baton:" + key] = value });
        await using var provider = new ServiceCollection().AddBaton(configuration.GetSection("Baton")).BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<BatonRuntime>());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_out_of_range_is_refused_by_the_runtime()
    {
        var configuration = Configuration(new() { ["Limits:MaxParallel"] = "0" });
        await using var provider = new ServiceCollection().AddBaton(configuration).BuildServiceProvider();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => provider.GetRequiredService<BatonRuntime>());

        Assert.Equal(nameof(RunLimits.MaxParallel), error.ParamName);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
