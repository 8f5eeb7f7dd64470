using System.Globalization;
using Baton;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Binds the simple settings of <see cref="BatonOptions"/> from a configuration section, by hand: the
/// limits and event bus settings are immutable records whose defaults are shared instances, which a
/// reflection binder would write into; and a misspelt key fails loudly here instead of being ignored.
/// </summary>
internal sealed class BatonOptionsConfiguration(IConfiguration configuration) : IConfigureOptions<BatonOptions>
{
    private static readonly string[] Known =
    [
        "Limits", "Limits:MaxSteps", "Limits:Timeout", "Limits:MaxParallel", "Limits:MaxFanOut", "Limits:MaxPayloadBytes",
        "Limits:MaxTokens", "Limits:MaxCost", "Owner", "LeaseDuration", "HumanWaitInMemory", "SnapshotEvery", "EventWindow",
        "EventBus", "EventBus:QueueCapacity", "EventBus:DeadLetterCapacity",
    ];

    public void Configure(BatonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckKeys();

        var limits = options.Limits;
        var section = configuration.GetSection("Limits");
        if (Int(section, "MaxSteps") is { } maxSteps) limits = limits with { MaxSteps = maxSteps };
        if (Value(section, "Timeout") is { } timeout) limits = limits with { Timeout = IsNone(timeout) ? null : Duration(section, "Timeout", timeout) };
        if (Int(section, "MaxParallel") is { } maxParallel) limits = limits with { MaxParallel = maxParallel };
        if (Int(section, "MaxFanOut") is { } maxFanOut) limits = limits with { MaxFanOut = maxFanOut };
        if (Int(section, "MaxPayloadBytes") is { } maxPayload) limits = limits with { MaxPayloadBytes = maxPayload };
        if (Value(section, "MaxTokens") is { } tokens) limits = limits with { MaxTokens = IsNone(tokens) ? null : Parse<long>(section, "MaxTokens", tokens, "a whole number") };
        if (Value(section, "MaxCost") is { } cost) limits = limits with { MaxCost = IsNone(cost) ? null : Parse<decimal>(section, "MaxCost", cost, "a number") };
        options.Limits = limits;

        if (Value(configuration, "Owner") is { } owner) options.Owner = owner;
        if (Value(configuration, "LeaseDuration") is { } lease) options.LeaseDuration = Duration(configuration, "LeaseDuration", lease);
        if (Value(configuration, "HumanWaitInMemory") is { } wait)
        {
            options.HumanWaitInMemory = wait.Trim().ToUpperInvariant() switch
            {
                "AUTO" => null,
                "INFINITE" => Timeout.InfiniteTimeSpan,
                _ => Duration(configuration, "HumanWaitInMemory", wait),
            };
        }

        if (Int(configuration, "SnapshotEvery") is { } snapshotEvery) options.SnapshotEvery = snapshotEvery;
        if (Int(configuration, "EventWindow") is { } window) options.EventWindow = window;

        var bus = configuration.GetSection("EventBus");
        if (Int(bus, "QueueCapacity") is { } capacity) options.EventBus = options.EventBus with { QueueCapacity = capacity };
        if (Int(bus, "DeadLetterCapacity") is { } deadLetters) options.EventBus = options.EventBus with { DeadLetterCapacity = deadLetters };
    }

    private void CheckKeys()
    {
        foreach (var entry in configuration.AsEnumerable(makePathsRelative: true))
        {
            if (entry.Key.Length == 0 || Known.Contains(entry.Key, StringComparer.OrdinalIgnoreCase)) continue;
            throw new InvalidOperationException($"configuration '{PathOf(configuration, entry.Key)}' is not a Baton setting{WorkflowBuilder.Suggest(entry.Key, Known)}; the settings are {string.Join(", ", Known.Where(k => k is not "Limits" and not "EventBus"))}");
        }
    }

    private static string? Value(IConfiguration section, string key) => section[key] is { Length: > 0 } value ? value : null;

    private static int? Int(IConfiguration section, string key) =>
        Value(section, key) is { } text ? Parse<int>(section, key, text, "a whole number") : null;

    private static T Parse<T>(IConfiguration section, string key, string text, string what)
        where T : ISpanParsable<T> =>
        T.TryParse(text.Trim(), CultureInfo.InvariantCulture, out var value) ? value : throw Invalid(section, key, text, what);

    private static TimeSpan Duration(IConfiguration section, string key, string text) =>
        TimeSpan.TryParse(text.Trim(), CultureInfo.InvariantCulture, out var value) ? value : throw Invalid(section, key, text, "a duration (hh:mm:ss)");

    private static bool IsNone(string text) => text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase);

    private static InvalidOperationException Invalid(IConfiguration section, string key, string text, string what) =>
        new($"configuration '{PathOf(section, key)}': '{text}' is not {what}");

    private static string PathOf(IConfiguration section, string key) =>
        section is IConfigurationSection { Path.Length: > 0 } s ? $"{s.Path}:{key}" : key;
}
