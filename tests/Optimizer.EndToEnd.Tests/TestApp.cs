namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// A fresh console app in a temporary folder that references Optimizer.Build from the packed
/// feed, exactly as a user's app would, built and run with the real `dotnet` CLI.
/// </summary>
internal sealed class TestApp : IDisposable
{
    private readonly PackedPackages _packages;

    public string Directory { get; }
    public string Name { get; }

    public TestApp(PackedPackages packages, string name, string extraProjectItems = "")
    {
        _packages = packages;
        Name = name;
        Directory = Path.Combine(Path.GetTempPath(), $"optimizer-e2e-{name}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
        // An empty Directory.Build.props/targets stops MSBuild from picking up any in /tmp.
        File.WriteAllText(Path.Combine(Directory, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(Directory, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(Directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="optimizer-e2e" value="{packages.Feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(Directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Optimizer.Build" Version="{packages.Version}" />
              </ItemGroup>
              {extraProjectItems}
            </Project>
            """);
    }

    public string ProjectFile => Path.Combine(Directory, Name + ".csproj");

    public string OptimizerOutputDirectory => Path.Combine(Directory, "obj", "Debug", "net10.0", "optimizer");

    public void WriteFile(string relativePath, string contents)
    {
        var path = Path.Combine(Directory, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, contents);
    }

    public void CopyFile(string source, string relativePath)
    {
        var path = Path.Combine(Directory, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(source, path, overwrite: true);
    }

    /// <summary>`dotnet build` at normal verbosity, so the optimizer's summary lines show.</summary>
    public ProcessResult Build() =>
        ProcessRunner.Run("dotnet", "build -v:n -nologo", Directory);

    public ProcessResult Run(string arguments = "") =>
        ProcessRunner.Run("dotnet", $"run --no-build -- {arguments}", Directory);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { /* a build server may still hold a file; the temp folder is reclaimed later */ }
    }
}
