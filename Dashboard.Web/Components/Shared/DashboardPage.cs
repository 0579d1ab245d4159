using Dashboard.Web.Api;
using Dashboard.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Dashboard.Web.Components.Shared;

/// <summary>
/// A page that reads from Proxy.Api: <see cref="TryAsync"/> turns Proxy.Api's refusals into <see cref="Error"/> (shown by
/// <c>&lt;PageError&gt;</c>) and a session whose key stopped working into a trip to the sign-in page.
/// </summary>
public abstract class DashboardPage : ComponentBase, IDisposable
{
    readonly CancellationTokenSource _disposed = new();

    [Inject]
    protected ProxyApi Proxy { get; set; } = default!;

    [Inject]
    protected NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    Task<AuthenticationState>? Authentication { get; set; }

    /// <summary>What went wrong in the last call, in Proxy.Api's words; null when it went well.</summary>
    protected string? Error { get; set; }

    /// <summary>Cancelled when the user leaves the page.</summary>
    protected CancellationToken Leaving => _disposed.Token;

    /// <summary>Whether the signed-in key has <paramref name="permission"/> (read, execute, write).</summary>
    protected async Task<bool> CanAsync(string permission) =>
        Authentication is not null && DashboardUser.Can((await Authentication).User, permission);

    /// <summary>Runs a call to Proxy.Api; false when it failed (and <see cref="Error"/> says why).</summary>
    protected async Task<bool> TryAsync(Func<CancellationToken, Task> call)
    {
        try
        {
            await call(Leaving);
            Error = null;
            return true;
        }
        catch (SessionEndedException)
        {
            Navigation.NavigateTo($"{SignInEndpoints.SignInPage}?returnUrl={Uri.EscapeDataString(Navigation.ToBaseRelativePath(Navigation.Uri))}", forceLoad: true);
        }
        catch (ProxyApiException e)
        {
            Error = e.Message;
        }
        catch (HttpRequestException e)
        {
            Error = $"Proxy.Api cannot be reached: {e.Message}";
        }
        catch (OperationCanceledException) when (Leaving.IsCancellationRequested)
        {
        }
        return false;
    }

    /// <summary>Calls <paramref name="refresh"/> every <paramref name="period"/> while the page is open.</summary>
    protected async Task RefreshEveryAsync(TimeSpan period, Func<Task> refresh)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(Leaving))
            {
                await refresh();
                await InvokeAsync(StateHasChanged);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public virtual void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
        GC.SuppressFinalize(this);
    }
}
