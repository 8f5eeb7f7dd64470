using System.Reflection;
using System.Security.Cryptography;

namespace Baton.Server.Dashboard;

/// <summary>
/// The dashboard's files, embedded in this assembly (so the NuGet package and <c>baton serve</c> carry them), read once:
/// each with its content type and an entity tag for conditional requests.
/// </summary>
internal sealed class DashboardFiles
{
    private const string Prefix = "Baton.Server.Dashboard.";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    private readonly Dictionary<string, DashboardFile> _files;

    private DashboardFiles(Dictionary<string, DashboardFile> files) => _files = files;

    /// <summary>The files shipped in this assembly.</summary>
    public static DashboardFiles Embedded { get; } = Load(typeof(DashboardFiles).Assembly);

    /// <summary>The names of the files, e.g. <c>index.html</c>, <c>app.js</c>.</summary>
    public IEnumerable<string> Names => _files.Keys;

    /// <summary>The file of that name, or null.</summary>
    public DashboardFile? Find(string name) => _files.GetValueOrDefault(name);

    private static DashboardFiles Load(Assembly assembly)
    {
        var files = new Dictionary<string, DashboardFile>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            var name = resource[Prefix.Length..];
            if (!ContentTypes.TryGetValue(Path.GetExtension(name), out var contentType)) continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var tag = $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"";
            files[name] = new DashboardFile(name, contentType, bytes, tag);
        }

        return new DashboardFiles(files);
    }
}
