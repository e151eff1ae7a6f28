using System.IO.Compression;
using System.Xml.Linq;

namespace Optimizer.EndToEnd.Tests.QuickStart;

/// <summary>
/// What a package page shows and a debugger needs, read from the packed files themselves: every
/// package carries the family's readme and icon and names them, its license expression, project and
/// repository URL, and has a .snupkg symbols package beside it; the runtime's XML docs are packed.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class PackageContentsTests(PackedPackages packages)
{
    public static TheoryData<string> PackageIds => new() { "Optimizer.Build", "Optimizer.Runtime", "Optimizer.Training", "Optimizer.Tool" };

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void The_package_has_readme_icon_license_urls_and_symbols(string id)
    {
        var package = Path.Combine(packages.Feed, $"{id}.{packages.Version}.nupkg");
        using var zip = ZipFile.OpenRead(package);
        var metadata = Nuspec(zip, id);

        Assert.Equal("README.md", Element(metadata, "readme"));
        Assert.Equal("icon.png", Element(metadata, "icon"));
        Assert.Equal("MIT", Element(metadata, "license"));
        Assert.Equal("expression", metadata.Elements().Single(e => e.Name.LocalName == "license").Attribute("type")?.Value);
        Assert.StartsWith("https://", Element(metadata, "projectUrl"));
        Assert.Equal(Element(metadata, "projectUrl"), metadata.Elements().Single(e => e.Name.LocalName == "repository").Attribute("url")?.Value);

        var readme = new StreamReader(zip.GetEntry("README.md")!.Open()).ReadToEnd();
        Assert.Contains("Quick start", readme);
        using (var icon = new MemoryStream())
        {
            zip.GetEntry("icon.png")!.Open().CopyTo(icon);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, icon.ToArray()[..4]);
        }

        Assert.True(File.Exists(Path.ChangeExtension(package, ".snupkg")), $"no symbols package beside {package}");
    }

    [Fact]
    public void The_runtime_carries_its_xml_docs_and_symbols_for_its_assembly()
    {
        using var package = ZipFile.OpenRead(Path.Combine(packages.Feed, $"Optimizer.Runtime.{packages.Version}.nupkg"));
        Assert.NotNull(package.GetEntry("lib/net10.0/Optimizer.Runtime.xml"));

        using var symbols = ZipFile.OpenRead(Path.Combine(packages.Feed, $"Optimizer.Runtime.{packages.Version}.snupkg"));
        Assert.NotNull(symbols.GetEntry("lib/net10.0/Optimizer.Runtime.pdb"));
    }

    private static XElement Nuspec(ZipArchive zip, string id)
    {
        using var stream = zip.GetEntry(id + ".nuspec")!.Open();
        return XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string? Element(XElement metadata, string name) =>
        metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
}
