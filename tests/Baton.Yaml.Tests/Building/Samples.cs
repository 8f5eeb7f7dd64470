namespace Baton.Yaml.Tests.Building;

/// <summary>The repository's sample workflow files.</summary>
internal static class Samples
{
    public static string Path(string name)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = System.IO.Path.Combine(folder.FullName, "samples", "workflows", name);
            if (File.Exists(candidate)) return candidate;
        }

        throw new FileNotFoundException($"sample workflow '{name}' not found above {AppContext.BaseDirectory}");
    }
}
