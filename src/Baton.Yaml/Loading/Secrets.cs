using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading;

/// <summary>
/// <c>${env.NAME}</c> in model and resource settings: replaced by the environment variable's value when the file loads.
/// Such values are secrets: no message ever shows them (a missing variable is reported by name only).
/// </summary>
internal static partial class Secrets
{
    [GeneratedRegex(@"\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Reference();

    public static string? Resolve(YamlNodes nodes, YamlNode node, string what)
    {
        var text = nodes.Text(node, what);
        if (text is null) return null;
        var missing = new List<string>();
        var resolved = Reference().Replace(text, match =>
        {
            var value = Environment.GetEnvironmentVariable(match.Groups[1].Value);
            if (value is null) missing.Add(match.Groups[1].Value);
            return value ?? "";
        });
        foreach (var name in missing) nodes.Diagnostics.AddMissingSecret(node, $"{what} uses the environment variable {name}, which is not set");
        return missing.Count == 0 ? resolved : null;
    }
}
