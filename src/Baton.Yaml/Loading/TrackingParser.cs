using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Baton.Yaml.Loading;

/// <summary>A parser that remembers where its last event ended, to place an error the YAML library reports without a position.</summary>
internal sealed class TrackingParser(IParser inner) : IParser
{
    public Mark LastEnd { get; private set; } = Mark.Empty;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (inner.Current is { } current) LastEnd = current.End;
        return inner.MoveNext();
    }
}
