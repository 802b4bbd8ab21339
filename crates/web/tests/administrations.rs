//! The administrations of the iPA lists as the site uses them: stored and
//! read back whole on both backends, named on the site, located by their
//! seat, and counted as local bodies in the communities' coverage when
//! IndicePA lists them (unions and mountain communities that never applied
//! to PA digitale).

mod site;

use cantiere_store::Store;
use cantiere_store::administration::Administration;
use cantiere_web::Observatory;
use cantiere_web::community::coverage::{BodyKind, bodies};
use site::common;

fn body(code: &str, name: &str, category: &str, comune: &str, region: &str, lists: &str) -> Administration {
    Administration {
        codice_ipa: code.into(),
        name: name.into(),
        category: category.into(),
        municipality_code: String::new(),
        municipality: comune.into(),
        region: region.into(),
        lists: lists.into(),
    }
}

#[tokio::test]
async fn listed_bodies_are_stored_named_located_and_counted_as_local_authorities() {
    let list = vec![
        body(
            "um_appennino",
            "Unione dei Comuni dell'Appennino (test)",
            "Unioni di Comuni e loro Consorzi e Associazioni",
            "Reggio nell'Emilia",
            "Emilia Romagna",
            "indicepa-2018",
        ),
        body(
            "istsc_test",
            "Istituto Comprensivo (test)",
            "Istituti di Istruzione Statale di Ogni Ordine e Grado",
            "Bologna",
            "Emilia-Romagna",
            "indicepa-2018",
        ),
        body(
            "c_a944",
            "COMUNE DI BOLOGNA",
            "Comuni e loro Consorzi e Associazioni",
            "Bologna",
            "Emilia-Romagna",
            "padigitale2026;indicepa-2018",
        ),
    ];
    for url in common::urls("administrations").await {
        let store = Store::open(&url).await.unwrap();
        assert_eq!(store.replace_administrations(&list).await.unwrap(), 3);
        assert_eq!(store.replace_administrations(&list[..2]).await.unwrap(), 2, "{url}");
        store.replace_administrations(&list).await.unwrap();
        let mut read = store.administrations().await.unwrap();
        read.sort_by(|a, b| a.codice_ipa.cmp(&b.codice_ipa));
        let mut expected = list.clone();
        expected.sort_by(|a, b| a.codice_ipa.cmp(&b.codice_ipa));
        assert_eq!(read, expected, "{url}: read back whole");
        store.close().await;
    }

    let obs = Observatory::new(site::emilia_romagna().clone()).with_administrations(list);
    // The run's own name for a comune wins; the lists it is in are learnt.
    let bologna = &obs.administrations["c_a944"];
    assert_eq!((bologna.name.as_str(), bologna.lists.as_str()), ("Comune di Bologna", "padigitale2026;indicepa-2018"));
    // A union located by its seat's name within its region, spelt as IndicePA spells them.
    let union = &obs.administrations["um_appennino"];
    let seat = union.muni.as_deref().and_then(|c| obs.muni(c)).expect("located");
    assert_eq!(seat.body.name, "Reggio nell'Emilia");
    let kinds = bodies(&obs);
    assert_eq!(kinds["um_appennino"].kind, BodyKind::LocalAuthority, "a union by its ISTAT category");
    assert_eq!(kinds["istsc_test"].kind, BodyKind::Other, "a school is not a local authority");
    assert_eq!(kinds["c_a944"].kind, BodyKind::Comune);
}
