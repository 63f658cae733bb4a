import Testing
import BerthKube
import BerthModel

/// 401 and 403 messages say who berth was, so the user knows which credentials to fix.
@Suite("Credential refusals")
struct KubeCredentialsTests {
    let settings = KubeConnectionSettings(
        server: .init(scheme: "https", host: "10.0.0.1", port: 6443), token: "s3cret-token", namespace: "shop",
        credentialsDescription: "user \"robot\" of context \"prod\" (bearer token from /root/.kube/config)")

    @Test func unauthorizedNamesTheCredentials() throws {
        let error = try #require(KubeCredentials.refusal(status: 401, action: "listing deployments in namespace \"shop\"",
                                                         settings: settings, serverMessage: "Unauthorized"))
        #expect(error.description == "listing deployments in namespace \"shop\": the API server https://10.0.0.1:6443 did not "
            + "accept the credentials of user \"robot\" of context \"prod\" (bearer token from /root/.kube/config) "
            + "(401 Unauthorized: Unauthorized); they may have expired or belong to another cluster")
        #expect(error.code == .refused)
        #expect(error.status == 401)
        #expect(!error.description.contains("s3cret-token"))
    }

    @Test func forbiddenNamesTheCredentialsAndTheServersReason() throws {
        let message = "deployments.apps \"web\" is forbidden: User \"system:serviceaccount:shop:robot\" cannot create resource"
        let error = try #require(KubeCredentials.refusal(status: 403, action: "creating deployment \"web\"",
                                                         settings: settings, serverMessage: message))
        #expect(error.description == "creating deployment \"web\": user \"robot\" of context \"prod\" (bearer token from "
            + "/root/.kube/config) is not allowed to do this on https://10.0.0.1:6443 (403 Forbidden: \(message)); "
            + "grant it the RBAC permission or use another context")
    }

    @Test func otherStatusesAreNotRefusals() {
        for status in [200, 404, 409, 500] {
            #expect(KubeCredentials.refusal(status: status, action: "x", settings: settings, serverMessage: nil) == nil)
        }
    }

    @Test func proxyModeNamesKubectlsChoice() {
        #expect(KubeCredentials.proxyDescription(kubeconfig: "/k/config", context: "eks-prod")
            == "credentials kubectl chose for context \"eks-prod\" of /k/config")
        #expect(KubeCredentials.proxyDescription(kubeconfig: nil, context: nil) == "credentials kubectl chose for the current context")
    }
}
