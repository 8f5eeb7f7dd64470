using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading;

/// <summary>
/// <c>limits:</c>. Every item of a <c>foreach</c> and every branch of a <c>parallel</c> is at least one step, and the
/// step limit counts them all, so a file's fan-out and step limits are set to agree (docs/workflow-files.md):
/// <c>maxFanOut</c> defaults to nine tenths of <c>maxSteps</c> (at most the engine's 1000), leaving a tenth of the steps
/// for the rest of the run; a file that sets <c>maxFanOut</c> but not <c>maxSteps</c> gets <c>maxSteps</c> = twice
/// <c>maxFanOut</c> (at least 1000); a file that sets both with <c>maxFanOut</c> above <c>maxSteps</c> is refused.
/// </summary>
internal static class LimitsReader
{
    private static readonly string[] Keys = ["maxSteps", "timeout", "maxTokens", "maxCost", "maxParallel", "maxFanOut"];

    /// <summary>The limits of a file without <c>limits:</c>.</summary>
    public static RunLimits Defaults { get; } = Agree(RunLimits.Default, maxSteps: null, maxFanOut: null);

    public static RunLimits Read(YamlNodes nodes, YamlNode node)
    {
        if (nodes.Mapping(node, "'limits'") is not { } mapping) return Defaults;
        var keys = nodes.Keys(mapping, "'limits'", Keys);
        var limits = RunLimits.Default;
        var maxSteps = keys.TryGetValue("maxSteps", out var ms) ? nodes.Integer(ms.Value, "'maxSteps'", 1) : null;
        if (keys.TryGetValue("timeout", out var t) && nodes.Duration(t.Value, "'timeout'") is { } timeout)
        {
            // A run's deadline of zero would stop it before its first step: refused here, not when the file is built.
            if (timeout > TimeSpan.Zero) limits = limits with { Timeout = timeout };
            else nodes.Diagnostics.Add(t.Value, "'timeout' must be longer than 0s");
        }

        if (keys.TryGetValue("maxTokens", out var mt) && nodes.Integer(mt.Value, "'maxTokens'", 1) is { } maxTokens) limits = limits with { MaxTokens = maxTokens };
        if (keys.TryGetValue("maxCost", out var mc) && nodes.Number(mc.Value, "'maxCost'") is { } maxCost)
        {
            if (maxCost is > 0 and < 1e15) limits = limits with { MaxCost = (decimal)maxCost };
            else nodes.Diagnostics.Add(mc.Value, "'maxCost' must be a positive amount");
        }

        if (keys.TryGetValue("maxParallel", out var mp) && nodes.Integer(mp.Value, "'maxParallel'", 1) is { } maxParallel) limits = limits with { MaxParallel = maxParallel };
        var maxFanOut = keys.TryGetValue("maxFanOut", out var mf) ? nodes.Integer(mf.Value, "'maxFanOut'", 1) : null;
        if (maxFanOut > maxSteps)
        {
            nodes.Diagnostics.Add(mf.Value, $"'maxFanOut' is {maxFanOut}, but 'maxSteps' ({maxSteps}) allows fewer steps than that, and every item of a foreach is at least one step: raise 'maxSteps' (or leave it out: it then defaults to twice 'maxFanOut')");
        }

        return Agree(limits, maxSteps, maxFanOut);
    }

    /// <summary>The step and fan-out limits, each given or derived from the other.</summary>
    private static RunLimits Agree(RunLimits limits, int? maxSteps, int? maxFanOut)
    {
        var steps = maxSteps ?? (maxFanOut is { } fanOut ? (int)Math.Clamp(2L * fanOut, RunLimits.Default.MaxSteps, int.MaxValue) : RunLimits.Default.MaxSteps);
        var width = maxFanOut ?? Math.Min(RunLimits.Default.MaxFanOut, steps - (steps / 10));
        return limits with { MaxSteps = steps, MaxFanOut = width };
    }
}
