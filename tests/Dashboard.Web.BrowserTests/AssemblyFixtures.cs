using Dashboard.Web.BrowserTests;

[assembly: AssemblyFixture(typeof(ConsoleFixture))]
