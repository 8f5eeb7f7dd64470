using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading;

/// <summary>
/// <c>limits:</c>. Every item of a <c>foreach</c> (and branch of a <c>parallel</c>) is at least one step, so the fan-out
/// limit and the step limit must agree: a file that raises <c>maxFanOut</c> without setting <c>maxSteps</c> gets
/// <c>maxSteps</c> = 1000 + <c>maxFanOut</c> (a fan-out as wide as the limit fits, with the usual 1000 steps to spare);
/// a file that sets both with <c>maxFanOut</c> above <c>maxSteps</c> is refused.
/// </summary>
internal static class LimitsReader
{
    private static readonly string[] Keys = ["maxSteps", "timeout", "maxTokens", "maxCost", "maxParallel", "maxFanOut"];

    /// <summary>The steps a file's run may take beyond its widest fan-out when <c>maxSteps</c> is derived from <c>maxFanOut</c>.</summary>
    public const int StepsBeyondFanOut = 1000;

    public static RunLimits Read(YamlNodes nodes, YamlNode node)
    {
        if (nodes.Mapping(node, "'limits'") is not { } mapping) return RunLimits.Default;
        var keys = nodes.Keys(mapping, "'limits'", Keys);
        var limits = RunLimits.Default;
        var maxSteps = keys.TryGetValue("maxSteps", out var ms) ? nodes.Integer(ms.Value, "'maxSteps'", 1) : null;
        if (maxSteps is { } steps) limits = limits with { MaxSteps = steps };
        if (keys.TryGetValue("timeout", out var t) && nodes.Duration(t.Value, "'timeout'") is { } timeout) limits = limits with { Timeout = timeout };
        if (keys.TryGetValue("maxTokens", out var mt) && nodes.Integer(mt.Value, "'maxTokens'", 1) is { } maxTokens) limits = limits with { MaxTokens = maxTokens };
        if (keys.TryGetValue("maxCost", out var mc) && nodes.Number(mc.Value, "'maxCost'") is { } maxCost)
        {
            if (maxCost is > 0 and < 1e15) limits = limits with { MaxCost = (decimal)maxCost };
            else nodes.Diagnostics.Add(mc.Value, "'maxCost' must be a positive amount");
        }

        if (keys.TryGetValue("maxParallel", out var mp) && nodes.Integer(mp.Value, "'maxParallel'", 1) is { } maxParallel) limits = limits with { MaxParallel = maxParallel };
        if (keys.TryGetValue("maxFanOut", out var mf) && nodes.Integer(mf.Value, "'maxFanOut'", 1) is { } maxFanOut)
        {
            limits = limits with { MaxFanOut = maxFanOut };
            if (maxSteps is null)
            {
                limits = limits with { MaxSteps = Math.Max(RunLimits.Default.MaxSteps, (int)Math.Min(int.MaxValue, (long)maxFanOut + StepsBeyondFanOut)) };
            }
            else if (maxFanOut > maxSteps)
            {
                nodes.Diagnostics.Add(mf.Value, $"'maxFanOut' is {maxFanOut}, but 'maxSteps' ({maxSteps}) allows fewer steps than that: every item of a foreach is at least one step; raise 'maxSteps' (or leave it out: it then defaults to 'maxFanOut' + {StepsBeyondFanOut})");
            }
        }

        return limits;
    }
}
