using YamlDotNet.Core;

namespace Baton.Yaml.Loading;

/// <summary>A YAML text passed one of the <see cref="WorkflowFileLimits"/>, at a position.</summary>
internal sealed class YamlLimitException(Mark start, string message) : Exception(message)
{
    public Mark Start { get; } = start;
}
